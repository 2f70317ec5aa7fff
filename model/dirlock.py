"""One writer per output directory: a lock that a command holds for as long as it writes there.

The lock is a POSIX record lock (`fcntl`) on a small lock file. The kernel drops it when the holding
process ends, however it ends (`kill -9` included), so a lock left by a dead process never blocks the
next writer; the file then still names the old holder, which is how a stale lock is recognised and
reported. While held, the file names the holder (command, pid, host, start time), so that a refused
writer can say who is writing.

A batch directory's lock file is inside it (`DIR/.casim.lock`). A `casim run` output directory is
replaced whole when it is written, so its lock file sits beside it (`PARENT/.NAME.casim.lock`). A
holder that ends cleanly removes the lock file; one that is killed leaves it, naming itself.

POSIX record locks belong to a process, not to a file descriptor: forked workers do not inherit them
(workers only write temporary files; the holder renames them into place), and closing *any* descriptor
of the lock file in the holding process would drop them. So a process keeps one descriptor per lock
file and never opens that file again while it holds it; nested holds of one directory share it.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import shlex
import socket
import struct
import sys
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

LOCK_NAME = ".casim.lock"
_NO_LOCKS = (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL)  # file systems without record locks


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a lock: the command line, its process id and host, and since when (UTC, ISO)."""
    command: str
    pid: int
    host: str
    since: str

    def describe(self) -> str:
        if not self.pid:
            return f"{self.command} (it has just started, or is finishing)"
        try:
            since = datetime.fromisoformat(self.since).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        except (TypeError, ValueError):  # a lock file written by something else
            since = self.since
        return f"{self.command} (pid {self.pid} on host {self.host}, since {since})"


UNKNOWN_HOLDER = Holder("another casim process", 0, "", "")  # holds the lock, has not named itself yet


class DirectoryBusy(RuntimeError):
    """Another process is writing the directory."""

    def __init__(self, directory: Path, holder: Holder | None):
        self.directory, self.holder = Path(directory), holder or UNKNOWN_HOLDER
        super().__init__(f"{directory} is being written by {self.holder.describe()}; wait for it to finish or stop it")


class StillBeingWritten(UserWarning):
    """A reader read a directory that another process is writing: it read what that process had finished."""


@dataclass
class Hold:
    """A lock this process holds. `stale`: the holder the lock file still named when it was taken (a process
    that ended without releasing it, e.g. killed); `unlocked`: why no lock could be taken (no lock support)."""
    lock_file: Path
    holder: Holder
    fd: int | None
    stale: Holder | None = None
    unlocked: str | None = None
    depth: int = 1


_HELD: dict[Path, Hold] = {}  # lock file -> this process's hold (one descriptor per file, see the module doc)


def batch_lock_file(directory: str | os.PathLike) -> Path:
    return Path(directory) / LOCK_NAME


def run_lock_file(directory: str | os.PathLike) -> Path:
    """Beside the directory, which `atomic_directory` replaces whole."""
    directory = Path(directory)
    return directory.parent / f".{directory.name}{LOCK_NAME}"


def command_line() -> str:
    """This process's command line as a user typed it (`casim batch ...` also under `python -m casim.cli`)."""
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if program in ("casim", "cli.py"):
        program = "casim"
    text = shlex.join([program, *sys.argv[1:]])
    return text if len(text) <= 200 else text[:197] + "..."


@contextmanager
def hold_directory(lock_file: str | os.PathLike):
    """Hold the lock `lock_file` (creating it and its folder) for the body; yields the `Hold`.

    Raises:
        DirectoryBusy: another process holds it.
        OSError: the folder cannot be created or written (read-only, no permission, disk full).
    """
    lock_file = Path(lock_file).resolve()
    hold = _HELD.get(lock_file)
    if hold is not None:  # nested in this process: share the descriptor
        hold.depth += 1
        try:
            yield hold
        finally:
            hold.depth -= 1
        return
    created = not lock_file.parent.exists()
    hold = _acquire(lock_file)
    _HELD[lock_file] = hold
    try:
        yield hold
    finally:
        del _HELD[lock_file]
        _release(hold, remove_folder=created)


def _acquire(lock_file: Path) -> Hold:
    while True:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                raise DirectoryBusy(_folder_of(lock_file), current_holder(lock_file)) from None
            if exc.errno in _NO_LOCKS:
                return Hold(lock_file, _me(), None, unlocked=f"{lock_file.parent} does not support file locks "
                            f"({os.strerror(exc.errno)}): make sure no other casim process writes there")
            raise
        try:
            same = os.stat(lock_file).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # the previous holder removed the file between our open and our lock: take the new one
            os.close(fd)
            continue
        stale = _parse(os.pread(fd, 4096, 0))
        me = _me()
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(asdict(me)).encode(), 0)
        return Hold(lock_file, me, fd, stale=stale)


def _release(hold: Hold, remove_folder: bool) -> None:
    """Remove the lock file while still holding it (a clean end leaves no stale lock; a process waiting on the
    removed file sees that it is gone and takes a new one, see `_acquire`), then drop the lock. A folder
    created only for the lock (a command that failed before writing anything) is removed too."""
    if hold.fd is None:
        return
    try:
        hold.lock_file.unlink()
        if remove_folder:
            hold.lock_file.parent.rmdir()  # only if empty
    except OSError:
        pass
    finally:
        os.close(hold.fd)


def current_holder(lock_file: str | os.PathLike) -> Holder | None:
    """Who holds `lock_file` now (this process included), or None when nobody does. Never takes the lock."""
    lock_file = Path(lock_file).resolve()
    if lock_file in _HELD:
        return _HELD[lock_file].holder
    try:
        fd = os.open(lock_file, os.O_RDONLY)
    except OSError:
        return None
    try:
        if not _is_locked(fd):
            return None
        return _parse(os.pread(fd, 4096, 0)) or UNKNOWN_HOLDER
    finally:
        os.close(fd)  # safe: this process holds no lock on the file


def _is_locked(fd: int) -> bool:
    """Whether another process holds a lock on the file (F_GETLK: tests without taking it)."""
    if sys.platform.startswith("linux"):
        # struct flock on Linux: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid
        query = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        return struct.unpack_from("h", fcntl.fcntl(fd, fcntl.F_GETLK, query))[0] != fcntl.F_UNLCK
    try:  # elsewhere: try a shared lock on a read-only descriptor and give it back at once
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno in (errno.EACCES, errno.EAGAIN)
    fcntl.lockf(fd, fcntl.LOCK_UN)
    return False


def _parse(data: bytes) -> Holder | None:
    try:
        return Holder(**json.loads(data))
    except (ValueError, TypeError):
        return None


def _folder_of(lock_file: Path) -> Path:
    """The directory a lock file guards (inside it, or beside it for `casim run` outputs)."""
    if lock_file.name == LOCK_NAME:
        return lock_file.parent
    return lock_file.parent / lock_file.name.removeprefix(".").removesuffix(LOCK_NAME)


def _me() -> Holder:
    return Holder(command_line(), os.getpid(), socket.gethostname(), _now())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
