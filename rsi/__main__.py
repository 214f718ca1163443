"""`python -m rsi` is the `rsi` command line."""
from rsi.cli import main

main()
