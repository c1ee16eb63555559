from plan57.entry import main

if __name__ == "__main__":  # a worker started by spawn (Windows) imports this module again: it must not run
    main()
