"""The multi-pattern search finds every occurrence of every pattern, as a plain search would."""
from hypothesis import given, settings, strategies as st

from generator.analysis import automata
from generator.analysis.automata import Automaton

_CHARS = "abé İ-"


def _plain(patterns: set[str], text: str) -> list[tuple[int, int, str]]:
    return sorted((i, i + len(p), p) for p in patterns for i in range(len(text)) if text.startswith(p, i))


@settings(max_examples=300, deadline=None)
@given(st.sets(st.text(_CHARS, min_size=1, max_size=9), max_size=8), st.text(_CHARS, max_size=60))
def test_every_occurrence_of_every_pattern_overlapping_ones_included(patterns, text):
    """Patterns longer than the head (3 here, so that short generated patterns take that path)
    are found by their head and checked in full; those that share a head, and a pattern that is
    another's head, are each found where they stand."""
    saved, automata.HEAD = automata.HEAD, 3
    try:
        found = sorted(Automaton((p, p) for p in patterns).find(text))  # a DFA: few patterns
        automata.DFA_UP_TO, dfa_up_to = 0, automata.DFA_UP_TO
        try:  # the contiguous automaton, as for many patterns
            contiguous = sorted(Automaton((p, p) for p in patterns).find(text))
        finally:
            automata.DFA_UP_TO = dfa_up_to
    finally:
        automata.HEAD = saved
    assert found == contiguous == _plain(patterns, text)


def test_long_patterns_sharing_their_head():
    titles = {"a study of the largest language models", "a study of the largest language models and more",
              "a study of the smallest language models", "a study of the largest la"}  # that one is a head
    assert all(len(t) > automata.HEAD for t in titles)
    text = ("we read a study of the largest language models and more, a study of the smallest language "
            "models, and a study of the largest lakes.")  # the last shares a head and is none of them
    assert sorted(Automaton((t, t) for t in titles).find(text)) == _plain(titles, text)


def test_no_patterns_find_nothing():
    assert Automaton([]).find("anything") == []
    assert Automaton([("", 1)]).find("anything") == []
