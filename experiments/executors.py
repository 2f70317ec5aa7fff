"""Evaluators that run chunk functions somewhere: local processes or a Dask cluster.

Both are context managers with the same two methods, so the batch loop has one
code path: `submit(fn, arg) -> future` and `wait_first(pending) -> (done, pending)`.
Futures of both kinds have `.result()`. `shares_filesystem` says whether workers
can write into the batch directory themselves (a remote Dask cluster may not).
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os


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


class ProcessExecutor:
    """`concurrent.futures.ProcessPoolExecutor` with spawned workers (Mesa needs spawn-safe code)."""

    kind = "processes"
    shares_filesystem = True

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.pool = None

    def __enter__(self):
        self.pool = cf.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
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
        return f"processes ({self.workers} workers)"


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
