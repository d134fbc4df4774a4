"""`python -m lakehouse.cli` runs the `peloton` command line."""

from lakehouse.cli import main

main()
