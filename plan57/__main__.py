from plan57.entry import main

main()
