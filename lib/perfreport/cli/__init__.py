"""The command line: argument parsing and printing only.

``main(argv)`` runs one ``perfreport`` command and returns its exit status (0 success, 1 a
report failed or the audit recovered a figure, 2 a user error, 130 interrupted).
"""

from perfreport.cli.commands import main

__all__ = ["main"]
