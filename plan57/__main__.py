from plan57.cli import main

main()
