"""`python -m ppa` runs the CLI."""

from ppa.cli import main

main()
