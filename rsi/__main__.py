"""`python -m rsi` is the `rsi` command line."""
from rsi.app.cli import main

main()
