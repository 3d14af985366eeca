"""The labelled benchmark of citation-style links: a regression below the floor fails CI.

Label files live in tests/quality/ (see its README); `papersite quality` prints the same
figures with the wrong and missed links listed.
"""
import pytest

from generator.quality import evaluate, label_files

from conftest import ROOT

FILES = label_files(ROOT / "tests/quality")
MIN_PRECISION, MIN_RECALL = 0.95, 0.90


def test_there_are_labelled_digests_with_enough_judged_pairs():
    assert len(FILES) >= 2
    for path in FILES:
        score = evaluate(path)
        assert score.expected + score.traps >= 40, path.name


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_link_precision_and_recall_stay_above_the_floor(path):
    score = evaluate(path)
    assert score.precision >= MIN_PRECISION, score.false_positives
    assert score.recall >= MIN_RECALL, score.missed
