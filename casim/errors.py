"""Errors the CLI reports to the user without a traceback."""

EXIT_BAD_INPUT = 2


class UserError(Exception):
    """A problem with the user's input: printed without a traceback, exit code 2."""
