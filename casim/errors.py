"""What the command line reports without a traceback, and its exit codes."""
from model.errors import InputError

EXIT_RUNS_FAILED = 1  # some runs of a batch failed (or `casim verify` found damage)
EXIT_BAD_INPUT = 2    # an `InputError`: a bad file, argument or name; a damaged input; a directory in use
EXIT_DISK_FAULT = 3   # the disk refused a write


class UserError(InputError):
    """A problem with a command's arguments or inputs (the layers below raise their own `InputError`s): exit 2."""
    exit_code = EXIT_BAD_INPUT


class DiskFault(UserError):
    """The disk refused a write (full, read-only, no permission): exit code 3. Nothing written is lost."""
    exit_code = EXIT_DISK_FAULT
