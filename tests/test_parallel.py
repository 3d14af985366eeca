"""Work spread over processes gives what the same work gives in one process."""
import os
import time
from pathlib import Path

import pytest

from generator.parallel import MIN_ITEMS, Later, concurrently, handing_over, in_background, map_beside, parallel_map

forking = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores to fork")


@forking
def test_concurrently_runs_the_first_step_in_another_process_and_returns_both():
    here = os.getpid()
    (pid, squares), total = concurrently(lambda: (os.getpid(), [i * i for i in range(5)]), lambda: sum(range(10)),
                                         size=MIN_ITEMS)
    assert pid != here and squares == [0, 1, 4, 9, 16] and total == 45


@forking
def test_concurrently_reraises_what_the_other_process_raised():
    def boom():
        raise ValueError("in the child")

    with pytest.raises(ValueError, match="in the child"):
        concurrently(boom, lambda: 1, size=MIN_ITEMS)


@pytest.mark.parametrize("size", [MIN_ITEMS, 10])
def test_a_value_handed_over_midway_reaches_the_other_step(size):
    big = list(range(200_000))  # more than a pipe holds at once

    def first(receive):
        begun = os.getpid()
        return begun, sum(receive())

    def second(send):
        send(big)
        return "done"

    (pid, total), other = handing_over(first, second, size=size)
    assert total == sum(big) and other == "done"
    assert (pid != os.getpid()) == (size >= MIN_ITEMS and len(os.sched_getaffinity(0)) >= 2)


@pytest.mark.parametrize("size", [MIN_ITEMS, 10])
def test_early_work_of_the_forked_side_reaches_this_side_before_the_forked_side_s_own(size, tmp_path):
    """``early()`` runs in the forked process before ``first``, and ``second`` takes its value
    while ``first`` still works (here ``first`` waits until ``second`` has it); run one after the
    other, ``taken()`` works it out here."""
    big = list(range(200_000))  # more than a pipe holds at once
    got = tmp_path / "got"

    def first(receive):
        for _ in range(1000):  # until this side has taken the early value (or 10 s)
            if got.exists() or size < MIN_ITEMS:
                break
            time.sleep(0.01)
        return os.getpid(), got.exists()

    def second(send, taken):
        value = taken()
        got.write_text("taken")
        return sum(value), taken() is value

    (pid, waited), (total, once) = handing_over(first, second, size=size, early=lambda: (os.getpid(), big)[1])
    assert total == sum(big) and once
    assert (pid != os.getpid()) == (size >= MIN_ITEMS and len(os.sched_getaffinity(0)) >= 2) and waited


@forking
def test_early_work_that_fails_is_raised_by_this_side_when_it_takes_the_value():
    def early():
        raise ValueError("early")

    with pytest.raises(ValueError, match="early"):
        handing_over(lambda receive: 1, lambda send, taken: taken(), size=MIN_ITEMS, early=early)


@forking
def test_a_step_that_fails_on_either_side_of_a_hand_over_neither_hangs_nor_hides_it():
    def failing_first(receive):
        raise ValueError("before receiving")

    with pytest.raises(ValueError, match="before receiving"):
        handing_over(failing_first, lambda send: send(list(range(200_000))), size=MIN_ITEMS)

    def failing_second(send):
        raise KeyError("before sending")

    with pytest.raises(KeyError, match="before sending"):  # the child waiting for the value is let go
        handing_over(lambda receive: receive(), failing_second, size=MIN_ITEMS)


@forking
def test_a_later_value_comes_back_before_its_last_work_which_settle_waits_for(tmp_path):
    go, done = tmp_path / "go", tmp_path / "done"

    def last_work():
        for _ in range(1000):  # still working when the value has come back (or 10 s later)
            if go.exists():
                break
            time.sleep(0.01)
        done.write_text("written")

    settle: list = []
    (pid, value), other = handing_over(lambda receive: Later((os.getpid(), receive() + 1), last_work),
                                       lambda send: send(41) or "other", size=MIN_ITEMS, settle=settle)
    assert pid != os.getpid() and value == 42 and other == "other"
    assert not done.exists() and len(settle) == 1
    go.touch()
    settle[0]()
    assert done.read_text() == "written"


@forking
def test_a_later_value_s_last_work_runs_while_this_side_still_works(tmp_path):
    """The value is sent while the last work runs: a value larger than a pipe holds waits for
    this side to read it, after its own work, and the last work would wait with it."""
    done = tmp_path / "done"

    def second(send):
        send(None)
        for _ in range(1000):  # this side works on until the other's last work is done (or 10 s)
            if done.exists():
                return True
            time.sleep(0.01)
        return False

    settle: list = []
    big, seen = handing_over(lambda receive: Later(list(range(200_000)), lambda: done.touch()), second,
                             size=MIN_ITEMS, settle=settle)
    settle[0]()
    assert big == list(range(200_000)) and seen


@forking
def test_what_a_later_value_s_last_work_raised_is_raised_by_settle():
    def last_work():
        raise OSError("disk full")

    settle: list = []
    value, _ = handing_over(lambda receive: Later("value", last_work), lambda send: send(None), size=MIN_ITEMS,
                            settle=settle)
    assert value == "value"
    with pytest.raises(OSError, match="disk full"):
        settle[0]()


def test_run_one_after_the_other_a_later_value_s_last_work_is_done_at_once(tmp_path):
    settle: list = []
    value, _ = handing_over(lambda receive: Later(receive(), lambda: (tmp_path / "done").touch()),
                            lambda send: send("value"), size=10, settle=settle)
    assert value == "value" and (tmp_path / "done").exists() and settle == []


def test_work_in_the_background_goes_on_while_this_thread_works_and_its_failure_is_raised_when_waited_for():
    started, events = [], []

    def work():
        started.append(True)
        time.sleep(0.2)
        events.append("background done")

    wait = in_background(work)
    events.append("here")  # not after the background's work
    wait()
    assert started and events == ["here", "background done"]

    def failing():
        raise ValueError("no room")

    wait = in_background(failing)
    with pytest.raises(ValueError, match="no room"):
        wait()


def test_small_work_stays_in_this_process():
    here = os.getpid()
    (pid, _), _ = concurrently(lambda: (os.getpid(), 0), lambda: 0, size=10)
    assert pid == here


@forking
def test_parallel_map_keeps_the_input_order():
    items = list(range(MIN_ITEMS + 7))
    assert parallel_map(lambda x: (x, os.getpid()), items)[-1][0] == items[-1]
    assert [x for x, _ in parallel_map(lambda x: (x, os.getpid()), items)] == items


@forking
def test_weighted_pieces_keep_the_order_and_share_the_cost():
    """A few heavy items first (the topic and day pages) are spread over pieces of equal cost,
    not all put in the first piece."""
    from generator.parallel import _pieces

    weights = [40.0] * 100 + [1.0] * 4000
    bounds = _pieces(len(weights), 8, weights)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(weights)
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(bounds, bounds[1:]))
    cost = [sum(weights[lo:hi]) for lo, hi in bounds]
    assert max(cost) <= sum(weights) / 8 + max(weights)
    assert sum(1 for lo, _ in bounds if lo < 100) > 1  # the heavy items span several pieces
    items = list(range(len(weights)))
    assert [x for x, _ in parallel_map(lambda x: (x, os.getpid()), items, weights=weights)] == items


@forking
def test_the_forked_side_maps_in_its_own_process_while_this_side_maps_beside_a_helper():
    """Two steps side by side already keep both cores busy: the forked one does not start
    helpers of its own (three processes on two cores slowed the other side by a third). A map
    on its own shares the pieces between this process and forked helpers."""
    items = list(range(MIN_ITEMS))

    def pids():
        return set(parallel_map(lambda _: (time.sleep(0.0005), os.getpid())[1], items))

    (child, used), here = concurrently(lambda: (os.getpid(), pids()), pids, size=MIN_ITEMS)
    assert used == {child}
    assert os.getpid() in here and len(here) == 2 and child not in here


@forking
def test_a_failing_item_in_a_helper_or_here_is_raised_with_its_message():
    items = list(range(MIN_ITEMS))
    here = os.getpid()

    def fails_elsewhere(x):
        if os.getpid() != here:
            raise ValueError(f"item {x} in a helper")
        time.sleep(0.001)  # leaves the helper pieces to take
        return x

    with pytest.raises(ValueError, match="in a helper"):
        parallel_map(fails_elsewhere, items)
    with pytest.raises(ZeroDivisionError):
        parallel_map(lambda x: 1 // (x - MIN_ITEMS + 1), items)  # the last item fails, wherever it runs


@forking
def test_work_done_meanwhile_here_leaves_the_items_to_a_helper_while_it_is_busy():
    """``meanwhile`` is done in this process while a helper maps; it stops when no piece is
    left, and the results keep their order whoever mapped them."""
    items = list(range(MIN_ITEMS))
    here, steps = os.getpid(), []

    def meanwhile(busy):
        while busy() and len(steps) < 10_000:
            steps.append(busy())
            time.sleep(0.001)

    mapped = parallel_map(lambda x: (time.sleep(0.0002), x, os.getpid())[1:], items, meanwhile=meanwhile)
    assert [x for x, _ in mapped] == items
    assert 0 < len(steps) < 10_000  # it stopped because the helper had taken every piece
    assert {pid for _, pid in mapped} == {next(pid for _, pid in mapped)} != {here}


@forking
def test_large_results_come_back_whole_through_the_spill_file(monkeypatch):
    """A helper's result larger than a pipe holds is left in an in-memory file made before the
    fork, and read from there: the same values as through the pipe. A map's helper sends each
    piece's results as it is done, one after another in the file."""
    import mmap

    from generator import parallel

    spilled = []
    real = mmap.mmap
    monkeypatch.setattr(mmap, "mmap", lambda fd, size, **kw: spilled.append(kw.get("offset", 0)) or real(fd, size, **kw))
    items = list(range(MIN_ITEMS))
    mapped = parallel_map(lambda x: (time.sleep(0.0005), str(x) * 3000, os.getpid())[1:], items)
    assert [text for text, _ in mapped] == [str(x) * 3000 for x in items] and len({pid for _, pid in mapped}) == 2
    big = list(range(300_000))
    texts = [str(i) * 50 for i in range(5000)]
    (total, value), other = handing_over(lambda receive: (sum(receive()), texts),
                                         lambda send: send(big) or "other", size=MIN_ITEMS)
    assert total == sum(big) and value == texts and other == "other"
    fd = parallel._spill_file()
    if fd is not None:  # a system with in-memory files: both went through them, the map's pieces one after another
        os.close(fd)
        assert len(spilled) >= 3 and spilled[-1] == 0 and max(spilled) > 0


@forking
def test_work_beside_a_map_runs_in_a_helper_that_then_takes_pieces_of_it():
    """``map_beside(first, fn, items)``: a helper does ``first()``, then maps pieces of the items
    beside this process, which maps from the start; the results keep their order."""
    here = os.getpid()
    items = list(range(200))

    def first():
        time.sleep(0.2)  # this process has begun the items meanwhile
        return os.getpid()

    helper, mapped = map_beside(first, lambda x: (time.sleep(0.005), x, os.getpid())[1:], items, size=MIN_ITEMS)
    assert helper != here and [x for x, _ in mapped] == items
    by = [pid for _, pid in mapped]
    assert by[0] == here and set(by) == {here, helper}  # the first pieces here, later ones there too


def test_small_work_beside_a_map_runs_first_then_the_items_here():
    order = []
    value, mapped = map_beside(lambda: order.append("first") or os.getpid(), lambda x: order.append(x) or x * 2,
                               [1, 2, 3])
    assert value == os.getpid() and mapped == [2, 4, 6] and order == ["first", 1, 2, 3]


@forking
def test_what_fails_beside_a_map_is_raised_with_its_message():
    def boom():
        raise ValueError("while making the map")

    with pytest.raises(ValueError, match="while making the map"):
        map_beside(boom, lambda x: x, list(range(MIN_ITEMS)))


def test_work_done_meanwhile_is_left_to_where_it_is_needed_when_there_is_no_helper():
    calls = []
    assert parallel_map(lambda x: x + 1, [1, 2], meanwhile=lambda busy: calls.append(busy())) == [2, 3]
    assert calls == []


def test_a_build_imports_the_analysis_libraries_only_after_it_starts_reading():
    """What reading needs is light: numpy, SciPy, igraph, pyarrow and Jinja2 are imported while
    a helper reads (``build.LATER``), not when the command starts."""
    import subprocess
    import sys

    code = ("import sys, generator.cli, generator.build; "
            "print(sorted(m for m in ('numpy', 'scipy', 'igraph', 'pyarrow', 'jinja2', 'lxml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"



def test_the_analysis_steps_that_called_numpy_s_masked_arrays_in_do_not():
    """numpy.ma (8 ms to import) came in through ``np.percentile`` (a topic's cohesion),
    ``sparse.diags`` (pruned rows made unit length) and a numpy array handed to Arrow (the
    vocabulary's kept names); the same steps run without it."""
    import subprocess
    import sys

    code = ("import sys, numpy as np, pyarrow as pa\n"
            "from generator.analysis import similarity, topics\n"
            "rows = similarity.sparse.csr_matrix(np.random.default_rng(0).random((30, 80)).astype(np.float32))\n"
            "similarity.strongest_features(rows, 10)\n"
            "assert similarity._kept_names(pa.array(['a', 'b', 'c']), np.flatnonzero([1, 0, 1])) == ['a', 'c']\n"
            "vectors = topics._Vectors(type('C', (), {'papers': dict.fromkeys('abcd')}), rows[:4],\n"
            "                          [f'w{i}' for i in range(80)], None)\n"
            "assert vectors.cohesion('abc', np.asarray(rows[:3].sum(axis=0)).ravel()) > 0\n"
            "print('numpy.ma' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"

@forking
def test_the_first_to_ask_gets_yes_and_no_one_after_it_in_any_process():
    """Which of two steps side by side is done first takes on the work either could do."""
    from generator.parallel import first_to_ask

    ask = first_to_ask()
    assert not ask.asked()
    child, here = concurrently(ask, lambda: (time.sleep(0.3), ask.asked(), ask())[1:], size=MIN_ITEMS)
    assert (child, here) == (True, (True, False))  # the other side sees the question asked, and gets no
    assert not ask()
    again = first_to_ask()
    assert again() and not again()  # each question is its own


@pytest.mark.parametrize("cache", [False, True])
def test_the_feeds_are_the_same_whichever_side_makes_them(bundled: Path, tmp_path: Path, monkeypatch, cache):
    """The side of the analysis that finds the topics makes feeds one by one while the names side
    still works; the rest are made beside the pages. However they are shared, the site is the same."""
    from generator import build

    analysing, made_during_analysis = [], []
    real_analyse, real_feeds = build.analyse, build.feeds_and_entries

    def analyse(*args, **kwargs):
        analysing.append(1)
        try:
            return real_analyse(*args, **kwargs)
        finally:
            analysing.pop()

    monkeypatch.setattr(build, "analyse", analyse)

    def feeds(*args, **kwargs):
        made, entries = real_feeds(*args, **kwargs)
        if made:
            made_during_analysis.append((bool(analysing), len(made)))
        return made, entries

    monkeypatch.setattr(build, "feeds_and_entries", feeds)
    first = build.build_site(bundled, cache=(tmp_path / "cache") if cache else None)
    everything = made_during_analysis[0][1]
    assert made_during_analysis == [(True, everything)]  # a small build runs the sides one after the other, topics first
    assert everything == 1 + len(first.analysis.topics) and everything > 3

    class NamesDoneAfter:
        """As if the names side were done once the topics side had made ``k`` feeds (None: before
        it started them): it asks once before it starts, then before each feed."""

        def __init__(self, k):
            self.left = -1 if k is None else k + 1

        def asked(self):
            self.left -= 1
            return self.left < 0

        def __call__(self):
            return self.left >= 0

    for k in (None, 2, everything - 1, everything):
        made_during_analysis.clear()
        monkeypatch.setattr(build, "first_to_ask", lambda: NamesDoneAfter(k))
        later = build.build_site(bundled, cache=(tmp_path / f"other-{k}") if cache else None)
        here = [(True, k)] if k else []
        beside = [(False, everything - (k or 0))] if k != everything else []
        assert made_during_analysis == here + beside  # the topics side's feeds, then those beside the pages
        assert later.files == first.files


@pytest.mark.parametrize("asked", [None, "2"])
def test_a_build_leaves_numpy_one_thread_unless_the_environment_asks_for_more(bundled: Path, asked):
    """The build's processes are its parallelism: OpenBLAS threads only waited, spinning, on the
    cores the other processes needed (and a sum split over threads depends on the core count)."""
    import subprocess
    import sys

    threadpoolctl = pytest.importorskip("threadpoolctl")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    if asked:
        env["OPENBLAS_NUM_THREADS"] = asked
    code = ("import os, sys, json, threadpoolctl; from pathlib import Path; from generator.build import build_site; "
            "build_site(Path(sys.argv[1]), cache=None); "
            "print(json.dumps([[i['num_threads'] for i in threadpoolctl.threadpool_info() if i['internal_api'] == 'openblas'],"
            " os.environ.get('OPENBLAS_NUM_THREADS')]))")
    out = subprocess.run([sys.executable, "-c", code, str(bundled)], capture_output=True, text=True, check=True,
                         env=env).stdout
    threads, after = __import__("json").loads(out.strip().splitlines()[-1])
    assert threads, f"numpy's OpenBLAS was not loaded ({threadpoolctl.__version__})"
    assert set(threads) == {int(asked) if asked else 1}
    assert after == asked  # the environment is as it was


@pytest.mark.parametrize("forked", [False, True])
def test_a_first_build_whose_names_side_works_out_a_share_of_the_words_is_the_same(bundled: Path, tmp_path: Path,
                                                                                   monkeypatch, forked):
    """In a first build of a large collection the names side works out the words of a share of
    the papers for the other side (:func:`generator.build._shared`): the site and the words kept
    are those of a build where each side works out its own, and the other side worked out the
    rest alone. Run one after the other, the share is worked out where it is taken."""
    from generator import build, parallel
    from generator.analysis import features
    from generator.cache import load_cache

    if forked:
        monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    alone = build.build_site(bundled, cache=tmp_path / "alone")
    real_shared, real_terms = build._shared, features.paper_terms
    shares: list[tuple[str, ...]] = []

    def half(cache, collection):
        pids = list(collection.papers)
        assert real_shared(cache, collection) == tuple(pids[len(pids) - len(pids) // 3:])  # a third: a small collection
        shares.append(tuple(pids[len(pids) // 2:]))
        return shares[-1]

    here: list[str] = []

    def counted(paper):
        here.append(paper.id)
        return real_terms(paper)

    monkeypatch.setattr(build, "_shared", half)
    monkeypatch.setattr(features, "paper_terms", counted)
    site = build.build_site(bundled, cache=tmp_path / "shared")
    assert len(shares) == 1 and shares[0]
    assert sorted(here) == sorted(set(site.collection.papers) - set(shares[0]))  # the rest, here
    assert site.files == alone.files
    assert load_cache(tmp_path / "shared", "terms") == load_cache(tmp_path / "alone", "terms")


def test_a_first_build_shares_more_of_the_words_the_larger_the_collection_and_a_daily_build_none(tmp_path: Path):
    from types import SimpleNamespace

    from generator import build
    from generator.output import write_cache

    def collection(n):
        return SimpleNamespace(papers={f"p{i:06d}": None for i in range(n)})

    assert len(build._shared(None, collection(3_000))) == 1_000  # a third at most
    assert len(build._shared(None, collection(9_000))) == build.SHARED
    share = build._shared(None, collection(40_000))
    assert len(share) == build.SHARED + 8_000 and share[-1] == "p039999"  # and a fifth more, the last papers
    assert len(build._shared(tmp_path, collection(90_000))) == 30_000  # a third at most; no words kept
    write_cache(tmp_path, {"terms": {"key": ("title", "words", b"", b"")}})
    assert build._shared(tmp_path, collection(90_000)) == ()  # the words are kept: each side its own


@forking
def test_a_map_after_a_failed_one_gets_every_piece_while_the_failed_ones_helper_finishes():
    """A map that fails in this process leaves its helper finishing a piece; the next map's
    shared counter must not be the memory of the failed map's, which that helper would take
    pieces from (a piece then came back missing, as a TypeError, in 3 of 5 tries)."""
    parent = os.getpid()

    def fails_here(x):
        if os.getpid() == parent:  # whichever piece this process takes first (the helper may take the first)
            raise ValueError("the first piece this process takes fails")
        time.sleep(0.002)
        return x

    items = list(range(MIN_ITEMS))
    for _ in range(3):
        with pytest.raises(ValueError):
            parallel_map(fails_here, items)
        assert parallel_map(lambda x: (time.sleep(0.0002), x)[1], items) == items
