"""Spread independent per-item work over the machine's cores.

Reading digests, finding each paper's aliases and mentions, and rendering pages are
independent per item; on large collections they run in forked worker processes, which
inherit the function and its data (nothing is pickled on the way in, only results on the
way back). Results come back in input order, so output does not depend on scheduling.
Small jobs, and platforms without fork, run in the calling process.

Two independent steps of the pipeline (finding links, and relating papers into topics) can
also run side by side with :func:`concurrently`.
"""
from __future__ import annotations

import multiprocessing
import os
import traceback
from typing import Callable, Sequence, TypeVar

__all__ = ["parallel_map", "concurrently", "MIN_ITEMS"]

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS = 2000
_STATE: tuple[Callable, Sequence] | None = None


def _run(bounds: tuple[int, int]) -> list:
    fn, items = _STATE
    return [fn(items[i]) for i in range(*bounds)]


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def parallel_map(fn: Callable[[T], R], items: Sequence[T], *, min_items: int = MIN_ITEMS) -> list[R]:
    global _STATE
    workers = _workers()
    if len(items) < min_items or workers < 2 or "fork" not in multiprocessing.get_all_start_methods() \
            or os.environ.get("PAPERSITE_WORKERS") == "1":
        return [fn(x) for x in items]
    pieces = workers * 4
    step = -(-len(items) // pieces)
    bounds = [(lo, min(lo + step, len(items))) for lo in range(0, len(items), step)]
    _STATE = (fn, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_run, bounds, chunksize=1)
    finally:
        _STATE = None
    return [result for part in parts for result in part]


def _child(fn: Callable, conn) -> None:
    try:
        conn.send((True, fn()))
    except BaseException as exc:  # the parent re-raises it, with the child's traceback
        conn.send((False, (exc, traceback.format_exc())))
    finally:
        conn.close()


def concurrently(first: Callable[[], T], second: Callable[[], R], *, size: int = MIN_ITEMS) -> tuple[T, R]:
    """``(first(), second())``, with ``first`` in a forked process while this one runs ``second``.

    Both must be pure (nothing they change is seen by the other). Below ``MIN_ITEMS`` items of
    work (``size``), without fork, or with PAPERSITE_WORKERS=1, they run one after the other.
    """
    if size < MIN_ITEMS or _workers() < 2 or "fork" not in multiprocessing.get_all_start_methods() \
            or os.environ.get("PAPERSITE_WORKERS") == "1":
        return first(), second()
    multiprocessing.active_children()  # reaps the children of earlier calls that have exited
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(first, send))  # not a daemon: it may start its own pool
    process.start()
    send.close()
    received = False
    try:
        other = second()
        ok, value = receive.recv()
        received = True
    finally:
        # A child that has sent its result is left to exit on its own (giving back a build's
        # memory took it a tenth of a second); it is reaped by the next call, or at exit.
        if not received:
            process.join()
        receive.close()
    if not ok:
        exc, trace = value
        raise exc from RuntimeError("in the concurrent step:\n" + trace)
    return value, other
