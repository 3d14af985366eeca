"""Work spread over processes gives what the same work gives in one process."""
import os

import pytest

from generator.parallel import MIN_ITEMS, concurrently, parallel_map

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


def test_small_work_stays_in_this_process():
    here = os.getpid()
    (pid, _), _ = concurrently(lambda: (os.getpid(), 0), lambda: 0, size=10)
    assert pid == here


@forking
def test_parallel_map_keeps_the_input_order():
    items = list(range(MIN_ITEMS + 7))
    assert parallel_map(lambda x: (x, os.getpid()), items)[-1][0] == items[-1]
    assert [x for x, _ in parallel_map(lambda x: (x, os.getpid()), items)] == items
