"""Evaluators that run chunk functions somewhere: local processes or a Dask cluster.

Both are context managers with the same two methods, so the batch loop has one
code path: `submit(fn, arg) -> future` and `wait_first(pending) -> (done, pending)`.
Futures of both kinds have `.result()`. `shares_filesystem` says whether workers
can write into the batch directory themselves (a remote Dask cluster may not).
"""
from __future__ import annotations

import concurrent.futures as cf
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading


class InlineExecutor:
    """Runs each chunk in the calling process when submitted (no pool start-up; for debugging and small batches)."""

    kind = "inline"
    workers = 1
    shares_filesystem = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    @staticmethod
    def submit(fn, arg):
        future = cf.Future()
        try:
            future.set_result(fn(arg))
        except Exception as exc:  # reported through the future, as the pools do
            future.set_exception(exc)
        return future

    @staticmethod
    def wait_first(pending):
        return set(pending), set()

    def describe(self) -> str:
        return "inline (calling process)"


def default_start_method() -> str:
    """How to start local workers: "fork" on Linux while this process runs a single thread, else "spawn".

    A forked worker starts in milliseconds with numpy, pandas, Mesa and the model already imported;
    a spawned one re-imports them, about 1.5 s on 2 cores, the time of a few thousand runs.
    Fork is unsafe on macOS and when other threads may hold locks, so those cases spawn (Mesa's
    default). Results do not depend on the start method (tests/test_batch.py).
    """
    return "fork" if sys.platform.startswith("linux") and threading.active_count() == 1 else "spawn"


def end_with_parent(parent: int) -> None:
    """Worker initializer: on Linux, end this worker when the batch process ends, even by `kill -9`.

    Otherwise a killed batch leaves its workers waiting on their task queue for ever; a resume does not
    need them gone (they hold no lock), but they hold memory. (PR_SET_PDEATHSIG = 1; the parent is checked
    after setting it, in case it died first.)
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)


class ProcessExecutor:
    """`concurrent.futures.ProcessPoolExecutor`: forked or spawned workers (`default_start_method`).

    Chunk functions and tasks are importable and picklable, so both start methods work.
    """

    kind = "processes"
    shares_filesystem = True

    def __init__(self, workers: int | None = None, start_method: str | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.start_method = start_method  # None: `default_start_method()` when the pool starts
        self.method = self.pool = None

    def __enter__(self):
        self.method = self.start_method or default_start_method()
        self.pool = cf.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(self.method),
                                           initializer=end_with_parent, initargs=(os.getpid(),))
        if self.method == "fork":
            # Fork every worker now, before a progress bar adds a thread. Frozen, the objects inherited from
            # this process are never visited by the workers' garbage collector, so their memory pages stay
            # shared instead of being copied into every worker (see the gc.freeze docs).
            gc.freeze()
            try:
                self.pool.submit(int).result()
            finally:
                gc.unfreeze()
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, fn, arg):
        return self.pool.submit(fn, arg)

    @staticmethod
    def wait_first(pending):
        done, rest = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
        return done, rest

    def describe(self) -> str:
        return f"processes ({self.workers} workers, {self.method or self.start_method or 'not started'})"


class DaskExecutor:
    """`dask.distributed`: an existing scheduler (`tcp://host:port`) or a LocalCluster of processes."""

    kind = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.scheduler = scheduler
        self.shares_filesystem = scheduler is None  # a LocalCluster's workers run on this machine
        self.client = self.cluster = None

    def __enter__(self):
        from dask.distributed import Client, LocalCluster
        if self.scheduler:
            self.client = Client(self.scheduler)
        else:
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def submit(self, fn, arg):
        return self.client.submit(fn, arg, pure=False)

    @staticmethod
    def wait_first(pending):
        from dask.distributed import wait
        done, rest = wait(list(pending), return_when="FIRST_COMPLETED")
        return set(done), set(rest)

    def describe(self) -> str:
        return f"dask ({self.scheduler or f'LocalCluster, {self.workers} workers'})"


def make_executor(kind: str = "processes", workers: int | None = None, scheduler: str | None = None):
    """The executor named `kind` ('processes', 'dask' or 'inline')."""
    if kind == "inline":
        return InlineExecutor()
    if kind == "processes":
        if scheduler:
            raise ValueError("--scheduler needs --executor dask")
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    raise ValueError(f"unknown executor '{kind}' (choose processes or dask)")
