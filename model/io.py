"""Writing results atomically: files and directories, Parquet tables, JSON manifests; hashes and the code version.

Every write goes to a temporary name beside its target, is fsynced, then renamed into place, so a
crash never leaves a half-written file or directory behind. Used by a run's outputs (`model.run`),
batches (`experiments`), calibration and reports.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd


def code_version() -> str:
    """`git describe` of the checkout, or the package version when not in git."""
    here = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=here,
                             capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import version
    return f"casim-{version('casim')}"


def file_hash(path: str | os.PathLike) -> str:
    """sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()    # what open() would give: mkstemp/mkdtemp default to private modes
DIR_MODE = 0o777 & ~_umask()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    replace_durably(_temporary_beside(path, lambda tmp: Path(tmp).write_bytes(data)), path)


def write_json_atomic(path, obj) -> None:
    write_bytes_atomic(path, (json.dumps(obj, indent=2, default=str) + "\n").encode())


def write_parquet_atomic(path, frame: pd.DataFrame) -> None:
    """Parquet via a temporary file, fsync and rename."""
    replace_durably(write_parquet_temporary(path, frame), path)


def write_parquet_temporary(path, frame: pd.DataFrame, **options) -> str:
    """Write `frame` to a hidden temporary file beside `path`; returns its name, for `replace_durably`."""
    return _temporary_beside(path, lambda tmp: frame.to_parquet(tmp, index=False, **options))


def _temporary_beside(path, write) -> str:
    """A hidden temporary file beside `path` (Parquet dataset readers skip dot files), filled by `write(name)`.

    Returns its name; removes it if writing fails.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, FILE_MODE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def replace_durably(tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """fsync a finished temporary file (possibly written by another process), then rename it over `path`.

    The temporary file is removed if that fails.
    """
    try:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_directory(final: str | os.PathLike):
    """Yield a temporary directory beside `final`; on success it replaces `final` in one rename.

    On any error the temporary directory is removed and `final` is left as it was.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    os.chmod(tmp, DIR_MODE)
    try:
        yield tmp
        if final.exists():
            old = final.with_name(f".{final.name}.old-{os.getpid()}")
            os.replace(final, old)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
