"""Acronyms defined in text: "long form (SHORT)", found the Schwartz–Hearst way.

Alias finding, the vocabulary rules and mention checking all ask which acronyms an abstract
spells out, so the answer is computed once per abstract and remembered; answers worked out in
worker processes or by an earlier build are handed in with :func:`remember_acronyms`.
"""
from __future__ import annotations

import re
from typing import Mapping

from ..text import fold, sentences

__all__ = ["schwartz_hearst", "acronym_definitions", "remember_acronyms", "same_long_form", "spelled_acronyms"]

_ACRONYM_RE = re.compile(r"\(\s*(?P<short>[^\W_][\w\-'.^+]{0,11})(?:s)?\s*[;,)]")
# What a long form never holds: brackets, a semicolon, a double dash.
_NOT_A_NAME = re.compile(r"[()\[\];]|--")
# Capitalised words that open clauses, not names ("We present Our ...", "we propose This").

def schwartz_hearst(short: str, long: str) -> str | None:
    """The shortest tail of ``long`` whose letters spell ``short`` in order.

    Schwartz & Hearst (2003): match the short form's characters right to left
    inside the long form; its first character must start a word.

    >>> schwartz_hearst("GRES", "we propose Generalized Referring Expression Segmentation")
    'Generalized Referring Expression Segmentation'
    """
    s, l = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while l >= 0 and (long[l].lower() != c or (s == 0 and l > 0 and long[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return None
        l -= 1
        s -= 1
    start = long.rfind(" ", 0, l + 1) + 1
    return long[start:]


def acronym_definitions(text: str) -> tuple:
    """``(short, long_form, sentence, long_start, rest)`` for each "long form (SHORT)" in ``text``.

    Remembered: alias finding, vocabulary rules and mention checks all ask about the same abstracts.
    """
    if "(" not in text:
        return ()
    found = _KNOWN.get(text)
    if found is None:
        found = _KNOWN[text] = tuple(_find_acronyms(text))
    return found


_KNOWN: dict[str, tuple] = {}


def remember_acronyms(found: Mapping[str, tuple]) -> None:
    """Definitions found elsewhere (a worker process, an earlier build) for the texts they key."""
    _KNOWN.update(found)


def _find_acronyms(text: str):
    """The definitions in ``text``, each with the sentence it stands in.

    One search of the whole text, not one per sentence (abstracts have many more sentences than
    parentheses): a match never runs across the end of a sentence (no space inside one follows a
    sentence's mark and precedes what opens a sentence), so it is the one its sentence holds."""
    spans = sentences(text)
    i = 0
    for m in _ACRONYM_RE.finditer(text):
        while spans[i][1] <= m.start():
            i += 1
        s0, s1 = spans[i]
        short = m.group("short")
        # "SNNs" defines SNN: the plural s is not part of the name, nor of the match.
        if short.endswith("s") and len(short) > 2 and short[-2].isupper():
            short = short[:-1]
        letters = [c for c in short if c.isalpha()]
        if not (2 <= len(short) <= 12) or sum(c.isupper() for c in letters) < 2:
            continue
        before = text[s0:m.start()].rstrip()
        words = before.split()
        window = " ".join(words[-min(len(short) + 5, 2 * len(short)):])
        long = schwartz_hearst(short, window)
        if (not long or len(long) <= len(short) or len(long.split()) > 2 * len(short) + 1
                or _NOT_A_NAME.search(long)):
            continue
        long = long.strip(" ,;:\"'“”")
        yield short, long, text[s0:s1], len(before) - len(long), text[m.end():s1]


# "MAPLE (Modality-Aligned Preference Learning for Embeddings)": the name first, then its words.
_SHORT_FIRST = re.compile(r"(?<![\w\-])(?P<short>[^\W_][\w\-'.^+]{1,11})\s*\((?P<long>[^()]{3,120})\)")


def spelled_acronyms(text: str) -> dict[str, str]:
    """Every acronym ``text`` spells out, with its long form: "long form (SHORT)"
    (:func:`acronym_definitions`) and the other way round, "SHORT (long form)", where the whole
    bracket, from its first word, spells the name in more than one word ("NPN
    (noun-preposition-noun)"; a citation such as "(Smith et al., 2023)" spells nothing).

    A text that spells a name out itself means what it spells: "SOAP (Subjective, Objective,
    Assessment, and Plan) notes" do not name a paper titled "SOAP: Style-Omniscient ..."."""
    found: dict[str, str] = {}
    if "(" not in text:
        return found
    for m in _SHORT_FIRST.finditer(text):
        short, long = m.group("short"), m.group("long").strip()
        if (sum(c.isupper() for c in short) < 2 or not (" " in long or "-" in long)
                or len(long.split()) > 2 * len(short) + 1 or _NOT_A_NAME.search(long)):
            continue
        if schwartz_hearst(short, long) == long:
            found.setdefault(short, long)
    found.update((short, long) for short, long, *_ in acronym_definitions(text))  # the usual order first
    return found


def same_long_form(a: str | None, b: str | None) -> bool:
    """Two spellings of one expansion: "Low-Rank Adaptation" and "low-rank adapters" agree."""
    if not a or not b:
        return False
    wa, wb = sorted((fold(a).split(), fold(b).split()), key=len)
    # Word by word on their stems; a title's long form may run on ("Low-Rank Adaptation of LLMs").
    return (len(wa) == len(wb) or len(wa) >= 2) and all(x[:4] == y[:4] for x, y in zip(wa, wb))
