"""Errors the CLI reports to the user without a traceback, and the exit codes they map to."""

EXIT_BAD_INPUT = 2
EXIT_DISK_FAULT = 3


class UserError(Exception):
    """A problem with the user's input: printed without a traceback, exit code 2."""
    exit_code = EXIT_BAD_INPUT


class DiskFault(UserError):
    """The disk refused a write (full, read-only, no permission): exit code 3. Nothing written is lost."""
    exit_code = EXIT_DISK_FAULT
