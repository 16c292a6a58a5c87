"""Command line: ``python -m gtec ...``, a thin shell over the library."""
