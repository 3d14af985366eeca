"""Spread independent per-item work over the machine's cores.

Reading digests, finding each paper's aliases and mentions, and rendering pages are
independent per item; on large collections they run in the calling process and forked
helpers, which inherit the function and its data (nothing is pickled on the way in, only the
helpers' results on the way back). Results come back in input order, so output does not depend
on scheduling. Small jobs, and platforms without fork, run in the calling process.

Two steps of the pipeline can also run side by side: with :func:`map_beside` when one is a
single piece of work and the other per-item (the map, then its share of the pages, beside the
pages), with :func:`handing_over` when one needs a single value from the other partway (the
mentions need the text vectors that the other step works out first, but the name rules before
them need nothing), or with :func:`concurrently` when neither needs the other. A result larger
than a pipe holds comes back through an in-memory file made before the fork.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import mmap
import multiprocessing
import os
import pickle
import threading
import traceback
from multiprocessing.reduction import ForkingPickler
from typing import Any, Callable, Iterator, Sequence, TypeVar

__all__ = ["parallel_map", "map_beside", "concurrently", "handing_over", "Later", "in_background", "first_to_ask", "FirstToAsk", "one_thread_per_process", "MIN_ITEMS"]

T = TypeVar("T")
R = TypeVar("R")
# Below this many items, work stays in one process. Forking costs a few milliseconds while the
# heap is small: from 500 on, both cores pay (1,137 papers built in 1.33 s instead of 1.7 s).
MIN_ITEMS = 500
_STATE: tuple[Callable, Sequence] | None = None
# Set in the forked side of two steps run side by side: see :func:`handing_over`.
_BESIDE = False


# What numerical libraries read, when they are loaded, for the number of threads to start.
THREAD_SETTINGS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def one_thread_per_process() -> Iterator[None]:
    """Libraries loaded inside this (numpy's OpenBLAS, which the build loads when it first needs
    it) start no threads of their own, unless the environment asks for them; the environment is
    as it was afterwards (a library keeps the threads it started with).

    The build's parallelism is its processes, one per core. Finding topics takes a few dot
    products of vectors as long as the vocabulary; OpenBLAS ran them on both cores, and its
    threads then waited for more work by spinning, on the core that the names and then the
    pages needed: in a daily build of 10,784 papers, 4 % of the CPU samples were its threads
    waiting (``blas_thread_server``) and 0.04 % its dot products. One thread also sums in one
    order on every machine. A library already loaded is not changed."""
    unset = [name for name in THREAD_SETTINGS if name not in os.environ]
    os.environ.update(dict.fromkeys(unset, "1"))
    try:
        yield
    finally:
        for name in unset:
            os.environ.pop(name, None)


def _run(bounds: tuple[int, int]) -> list:
    fn, items = _STATE
    return [fn(items[i]) for i in range(*bounds)]


class _Shared:
    """An integer that this process and the processes it forks afterwards share, with a lock (what
    ``multiprocessing.Value`` gives): in a shared anonymous mapping of its own.

    The Value's ctypes and the heap file it makes in /dev/shm took 6 to 12 ms at the start of
    every build, before the digests' helper could fork. And a mapping of its own is never
    anyone else's: a helper still finishing a piece of a failed map counts on its map's
    mapping, which the next map's counter does not share. (The Value's heap handed a counter
    let go to the next map's, and the helper took that map's pieces for the failed one:
    measured, 3 maps of 5 after a failed one lost a piece, as a TypeError.)"""

    def __init__(self, lock):
        self._mapping = mmap.mmap(-1, 8)  # shared (the default) and anonymous: inherited by a fork
        self._cell = memoryview(self._mapping).cast("q")
        self._lock = lock

    def get_lock(self):
        return self._lock

    @property
    def value(self) -> int:
        return self._cell[0]

    @value.setter
    def value(self, value: int) -> None:
        self._cell[0] = value


def _take(counter, pieces: int) -> int | None:
    """The next piece no process has taken yet (``counter`` is shared by all of them)."""
    with counter.get_lock():
        i = counter.value
        if i >= pieces:
            return None
        counter.value = i + 1
    return i


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def parallel_map(fn: Callable[[T], R], items: Sequence[T], *, min_items: int = MIN_ITEMS,
                 weights: Sequence[float] | None = None,
                 meanwhile: Callable[[Callable[[], bool]], Any] | None = None) -> list[R]:
    """``[fn(x) for x in items]``, in this process and forked helpers on large jobs. The items
    are cut into a few pieces per core, taken in order by whichever process is free; ``weights``
    (an estimate of each item's cost) makes the pieces equal in cost rather than in count: a
    piece that held the site's 66 topic pages and 61 day pages as well as its share of paper
    pages took a daily build's first worker a second, while the other did the six next pieces
    in it.

    ``meanwhile(busy)``, if given, is called in this process once the helpers have started,
    before it takes its share: work that this process will need done anyway, such as importing
    what a later step needs, takes the place of a share of the items. It does what it can while
    ``busy()``, that is while pieces are left for the helpers, and leaves the rest to be done
    where it is needed. Without helpers it is not called."""
    if len(items) < min_items or not _forking():
        return [fn(x) for x in items]
    return _spread(fn, items, _pieces(len(items), _workers() * 4, weights), meanwhile=meanwhile)[1]


def map_beside(first: Callable[[], T], fn: Callable[[Any], R], items: Sequence, *, size: int | None = None,
               weights: Sequence[float] | None = None) -> tuple[T, list[R]]:
    """``(first(), [fn(x) for x in items])``: a forked helper runs ``first()``, then takes pieces
    of the items as :func:`parallel_map`'s helpers do, while this process takes pieces from the
    start. Work of two kinds, one of them cut in pieces, so ends on both cores together: the
    map's layout and graph.json beside the pages, which took the pages' other core as a fixed
    share (the pages that list papers) and ended a tenth of a second apart either way, as the
    feeds fell to one side or the other. The pieces are small (sixteen per core), since the
    helper joins late. Below ``MIN_ITEMS`` (``size``, by default the items' count), without
    fork, or with PAPERSITE_WORKERS=1, ``first()`` runs first, then the items."""
    if (len(items) if size is None else size) < MIN_ITEMS or not _forking():
        value = first()
        return value, [fn(x) for x in items]
    return _spread(fn, items, _pieces(len(items), _workers() * 16, weights), first=first)


def _spill_file() -> int | None:
    """An anonymous in-memory file for a forked process's result, made before the fork so that
    both processes hold it, or None where the system has none (then the pipe carries all)."""
    try:
        return os.memfd_create("papersite-result")
    except (AttributeError, OSError):
        return None


# A result larger than this (a pipe's own capacity) goes through the spill file: through the
# pipe, 16 MB of graph.json and pages crossed 64 KB at a time, each process waking the other (at
# 10,784 papers, the helper of the pages spent 0.06 to 0.12 s sending, the build waiting for it).
SPILL_FROM = 1 << 16


def _send(conn, message, spill: int | None) -> None:
    """``conn.send(message)``, through ``spill`` if it is large (see :func:`_received`)."""
    data = ForkingPickler.dumps(message)
    if spill is None or len(data) <= SPILL_FROM:
        conn.send_bytes(data)
        return
    _write_at(spill, data, 0)
    conn.send(_Spilled(len(data)))


def _write_at(fd: int, data: bytes, at: int) -> None:
    """All of ``data`` into the file ``fd`` from offset ``at`` on."""
    with memoryview(data) as view:
        done = 0
        while done < len(view):
            done += os.pwrite(fd, view[done:], at + done)


@dataclasses.dataclass(frozen=True)
class _Spilled:
    """The word that a message of ``size`` bytes waits in the spill file: from ``at`` on, among
    a :class:`_Stream`'s messages, or alone there, from the start (:func:`_send`'s: None)."""
    size: int
    at: int | None = None


def _received(conn, spill: int | None):
    """What the other process sent with :func:`_send` or a :class:`_Stream`."""
    message = conn.recv()
    if type(message) is _Spilled:
        with mmap.mmap(spill, message.size, access=mmap.ACCESS_READ, offset=message.at or 0) as data:
            value = pickle.loads(data)
        if message.at is None:  # alone: the next message starts afresh
            os.ftruncate(spill, 0)
        return value
    return message


def _forking() -> bool:
    """Whether work may be spread over forked processes here."""
    return (_workers() >= 2 and "fork" in multiprocessing.get_all_start_methods()
            and os.environ.get("PAPERSITE_WORKERS") != "1" and not _BESIDE)


def _spread(fn: Callable, items: Sequence, bounds: list[tuple[int, int]], *, first: Callable[[], Any] | None = None,
            meanwhile: Callable[[Callable[[], bool]], Any] | None = None) -> tuple[Any, list]:
    """``fn`` over ``items`` in the pieces ``bounds``, by this process and a helper per other
    core, the first of which runs ``first()`` (if given) before it takes pieces: what ``first()``
    returned, and the results in the items' order."""
    global _STATE
    _STATE = (fn, items)
    context = multiprocessing.get_context("fork")
    counter = _Shared(context.Lock())
    helpers = []
    value = None
    try:
        # This process maps too, beside one helper fewer than the cores: a pool of as many as the
        # cores left it waiting, and cost one more fork, the copies of the memory it touched and
        # the pickles of its results (medians of alternating runs: 1,137 papers 1.10 -> 1.03 s,
        # a day added to 10,440 papers 3.87 -> 3.74 s).
        for k in range(_workers() - 1):
            receive, send = context.Pipe(duplex=False)
            spill = _spill_file()
            work = functools.partial(_first_then_pieces, first if k == 0 else None, counter, bounds, send, spill)
            process = context.Process(target=_child, args=(work, send, spill))
            process.start()
            send.close()
            helpers.append((process, receive, spill))
        if meanwhile is not None:
            meanwhile(lambda: counter.value < len(bounds))
        parts: list = [None] * len(bounds)
        busy = list(range(len(helpers)))  # the helpers whose last word has not come

        def take_in(wait: bool) -> None:
            """The helpers' results sent so far, or (``wait``) all of them."""
            nonlocal value
            for k in list(busy):
                _, receive, spill = helpers[k]
                while k in busy and (wait or receive.poll()):
                    message = _received(receive, spill)
                    if message[0] == "piece":
                        parts[message[1]] = message[2]
                    elif message[0] == "first":
                        value = message[1]
                    elif message[0]:  # :func:`_child`'s last word: all of them are sent
                        busy.remove(k)
                    else:
                        _reraise(message[1], "in a worker process")

        while (i := _take(counter, len(bounds))) is not None:
            parts[i] = _run(bounds[i])
            take_in(wait=False)
        take_in(wait=True)
    finally:
        _STATE = None
        with counter.get_lock():  # after a failure, helpers take no more pieces
            counter.value = len(bounds)
        for process, receive, spill in helpers:
            receive.close()
            if spill is not None:
                os.close(spill)
        multiprocessing.active_children()  # reaps helpers that have exited
    return value, [result for part in parts for result in part]


def _first_then_pieces(first: Callable[[], Any] | None, counter, bounds: list[tuple[int, int]], conn,
                       spill: int | None) -> None:
    """What a helper of :func:`_spread` does: ``first()``, if given, then pieces, until none is
    left; each result goes back as soon as it is made (:class:`_Stream`), and :func:`_child`'s
    last word says that all of them have.

    Sent all at once at the end, the helper's results were pickled, and then unpickled by this
    process, after both had done their last piece: at 10,440 papers, 0.058 s of sending the
    digests' records and 0.068 s of receiving them, on the reading's last, single-core part.
    Sent piece by piece, they are unpickled by this process between its own pieces, and only
    the last piece's wait at the end."""
    post = _Stream(conn, spill)
    if first is not None:
        post(("first", first()))
    while (i := _take(counter, len(bounds))) is not None:
        post(("piece", i, _run(bounds[i])))


class _Stream:
    """Messages sent one after another through the pipe, each with its pickle in the spill file
    after the ones before it (the pipe carries only where it lies, so the sender never waits for
    the reader: see :func:`_received`), or, without a spill file, in the pipe itself."""

    def __init__(self, conn, spill: int | None):
        self.conn, self.spill, self.end = conn, spill, 0

    def __call__(self, message) -> None:
        if self.spill is None:
            self.conn.send(message)
            return
        data = ForkingPickler.dumps(message)
        at = self.end
        _write_at(self.spill, data, at)
        # Each message starts on a page of its own: the reader maps its pages alone.
        self.end = -(-(at + len(data)) // mmap.ALLOCATIONGRANULARITY) * mmap.ALLOCATIONGRANULARITY
        self.conn.send(_Spilled(len(data), at))


def _pieces(n: int, pieces: int, weights: Sequence[float] | None) -> list[tuple[int, int]]:
    """``pieces`` consecutive ranges of ``range(n)``, of equal count, or of about equal weight."""
    if weights is None:
        step = -(-n // pieces)
        return [(lo, min(lo + step, n)) for lo in range(0, n, step)]
    total = float(sum(weights)) or 1.0
    cuts, done, lo = [], 0.0, 0
    for i, weight in enumerate(weights):
        done += weight
        if done >= total * (len(cuts) + 1) / pieces and i + 1 < n:
            cuts.append((lo, i + 1))
            lo = i + 1
    cuts.append((lo, n))
    return cuts


@dataclasses.dataclass(frozen=True)
class Later:
    """What the forked side of :func:`handing_over` returns when part of its work is needed by
    no one: ``value`` is handed back at once, and ``then()`` runs afterwards, in that process
    (writing its cache files), while this one goes on; ``settle`` waits for it."""
    value: Any
    then: Callable[[], Any]


def _child(fn: Callable, conn, spill: int | None = None) -> None:
    try:
        result = fn()
        if type(result) is Later:
            # A Later's value now, and a second word when its then() is done (see handing_over).
            _send_while(conn, ("later", result.value), result.then, spill)
            conn.send((True, None))
        else:
            _send(conn, (True, result), spill)
    except BaseException as exc:  # the parent re-raises it, with the child's traceback
        try:
            conn.send((False, (exc, traceback.format_exc())))
        except OSError:
            pass  # the parent has failed itself and stopped listening
    finally:
        conn.close()


def _send_while(conn, message, work: Callable[[], Any], spill: int | None = None) -> None:
    """``conn.send(message)`` from a thread while ``work()`` runs here; raises what either raised.

    A pipe holds 64 KB, and the parent reads what its concurrent step sent only once its own
    side is done: a daily build's names side, sending its names and mentions, sat idle for a
    fifth of a second until the other side had made the feeds, then wrote its cache files beside
    the pages (three processes on two cores). It writes them meanwhile now. (Where the message
    goes through the spill file, sending it does not wait for the parent at all.)"""
    wait = in_background(lambda: _send(conn, message, spill))
    try:
        work()
    except BaseException:
        with contextlib.suppress(BaseException):  # the parent has stopped listening: work's failure tells more
            wait()
        raise
    wait()


def in_background(work: Callable[[], Any]) -> Callable[[], None]:
    """Starts ``work()`` in a thread of this process; returns the function that waits for it and
    raises what it raised. For work that is mostly system calls (writing files), which hold no
    lock of the interpreter's: it goes on while this thread writes other files."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # raised where it is waited for
            failed.append(exc)

    worker = threading.Thread(target=run)
    worker.start()

    def wait() -> None:
        worker.join()
        if failed:
            raise failed.pop()

    return wait


def concurrently(first: Callable[[], T], second: Callable[[], R], *, size: int = MIN_ITEMS) -> tuple[T, R]:
    """``(first(), second())``, with ``first`` in a forked process while this one runs ``second``.

    Both must be pure (nothing they change is seen by the other). Below ``MIN_ITEMS`` items of
    work (``size``), without fork, or with PAPERSITE_WORKERS=1, they run one after the other.
    """
    return handing_over(lambda receive: first(), lambda send: second(), size=size)


def handing_over(first: Callable[[Callable[[], Any]], T], second: Callable[..., R], *,
                 size: int = MIN_ITEMS, settle: list | None = None, early: Callable[[], Any] | None = None
                 ) -> tuple[T, R]:
    """``(first(receive), second(send))`` side by side, as :func:`concurrently`, where ``second``
    hands one value to ``first`` on the way: it calls ``send(value)`` once, and ``first``'s
    ``receive()`` waits for that value. So ``first`` can begin with what needs nothing from
    ``second`` (the name rules need no text vectors) instead of waiting for all of it.

    Run one after the other (small jobs, no fork, PAPERSITE_WORKERS=1), ``second`` goes first.

    ``early``, if given, is work for ``second`` that the forked process does before ``first``:
    ``second`` is then called as ``second(send, taken)``, and ``taken()`` waits for what
    ``early()`` returned (run one after the other, it calls ``early()`` itself). So the shorter
    side takes a share of the longer side's first step, which needs nothing from either (the
    words of up to a third of a first build's papers: at 62,711 papers the side of the text
    vectors had ended 8 s after the names side).

    ``first`` may return a :class:`Later`: its value is returned, and its ``then()`` runs after
    it, in the forked process while this one goes on (or at once, run one after the other);
    ``settle`` (a list) then gets a function to call before the results of ``then()`` are
    needed, which waits for it (and raises what it raised); without ``settle``, it is waited for
    before returning.

    ``first`` runs its :func:`parallel_map` in its own process: the two steps already keep both
    cores busy, and helpers of its own put three processes on two cores, which slowed ``second``
    (the longer side, kept in this process: the text vectors, related papers and topics, beside
    the names and mentions) by a third at 60,000 papers.
    """
    if size < MIN_ITEMS or _workers() < 2 or "fork" not in multiprocessing.get_all_start_methods() \
            or os.environ.get("PAPERSITE_WORKERS") == "1":
        handed: list = []
        other = second(handed.append) if early is None else second(handed.append, functools.cache(early))
        value = first(lambda: handed[0])
        if type(value) is Later:
            value.then()
            value = value.value
        return value, other
    multiprocessing.active_children()  # reaps the children of earlier calls that have exited
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)  # the child's result
    take, give = context.Pipe(duplex=False)  # the value handed over
    back, ahead = context.Pipe(duplex=False) if early is not None else (None, None)  # early()'s value
    spill, handed = _spill_file(), _spill_file()  # large results and values go through these
    returned = _spill_file() if early is not None else None

    def child():
        global _BESIDE
        _BESIDE = True
        give.close()  # the forked copy of the giving end would keep the child's own wait open
        receive.close()
        if early is not None:
            back.close()
            _send(ahead, early(), returned)
            ahead.close()
        return first(lambda: _received(take, handed))

    process = context.Process(target=_child, args=(child, send, spill))  # not a daemon: it may fork helpers
    process.start()
    send.close()
    take.close()
    if ahead is not None:
        ahead.close()

    def send_value(value) -> None:
        try:
            _send(give, value, handed)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the child has failed, or the step has ended: its error is waiting in the result pipe

    senders: list[threading.Thread] = []

    def hand(value) -> None:
        # From a thread: a pipe holds 64 KB, and the child reads only when it asks for the value,
        # so sending from this thread would stop ``second`` until then (where there is no spill file).
        senders.append(threading.Thread(target=send_value, args=(value,), daemon=True))
        senders[-1].start()

    @functools.cache
    def taken():
        """What ``early()`` returned in the child; if it failed, what it raised."""
        try:
            return _received(back, returned)
        except EOFError:  # the child failed before sending it: its error is in the result pipe
            ok, value = _received(receive, spill)
            if not ok:
                _reraise(value, "in the concurrent step")
            raise RuntimeError("the concurrent step ended before its early work was handed over") from None

    received = False
    try:
        other = second(hand) if early is None else second(hand, taken)
        for sender in senders:
            sender.join()
        give.close()
        ok, value = _received(receive, spill)
        received = True
    finally:
        give.close()  # a child still waiting for the value gets EOFError instead of waiting forever
        if handed is not None:
            os.close(handed)
        if back is not None:
            back.close()
        if returned is not None:
            os.close(returned)
        # A child that has sent its result is left to exit on its own (giving back a build's
        # memory took it a tenth of a second); it is reaped by the next call, or at exit.
        if not received:
            process.join()
        if not received or ok != "later":
            receive.close()
            if spill is not None:
                os.close(spill)
    if ok == "later":  # the child's then() goes on: waited for by settle's function, or now
        wait = functools.partial(_settled, receive, process, spill)
        if settle is None:
            wait()
        else:
            settle.append(wait)
        return value, other
    if not ok:
        _reraise(value, "in the concurrent step")
    return value, other


def _reraise(value: tuple[BaseException, str], where: str) -> None:
    """Raises what a forked process raised (as :func:`_child` sent it), with its traceback."""
    exc, trace = value
    raise exc from RuntimeError(f"{where}:\n{trace}")


def _settled(receive, process, spill: int | None = None) -> None:
    """Waits for the ``then()`` of a :class:`Later` in ``process``, and raises what it raised."""
    try:
        ok, value = _received(receive, spill)
    except EOFError:  # the process ended without a word: killed
        process.join()
        raise RuntimeError(f"the concurrent step's last work ended with exit code {process.exitcode}") from None
    finally:
        receive.close()
        if spill is not None:
            os.close(spill)
    if not ok:
        _reraise(value, "in the concurrent step")


class FirstToAsk:
    """A question answered yes once: to whichever asks first of this process and the processes
    it forks afterwards. Two steps side by side use it to say which of them, being done first,
    takes on work that either could do; :meth:`asked` tells the other, without asking, that it
    is done (work that comes in pieces can then stop between two of them)."""

    def __init__(self):
        self._flag = _Shared(multiprocessing.Lock())

    def __call__(self) -> bool:
        with self._flag.get_lock():
            if self._flag.value:
                return False
            self._flag.value = 1
            return True

    def asked(self) -> bool:
        return bool(self._flag.value)


def first_to_ask() -> FirstToAsk:
    return FirstToAsk()
