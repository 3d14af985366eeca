"""Where each paper's text writes the names the collection knows, kept between builds.

The name rules (:mod:`.aliases`) and the mention finder (:mod:`.mentions`) look for thousands
of names in every abstract. At 10,000 papers that scan was 2 of their 3.5 seconds, almost all
of it Python stepping through the automata's raw hits, most of which are inside longer words.
A paper's text does not change from one day to the next and the names grow by a day's worth,
so a build looks through the papers it has seen before only for the names it had not looked
for, and through new papers for all of them. What is found for a (text, name) pair does not
depend on any other paper or name, so the results equal a full scan's, hit for hit.

A memo is a plain dict (kept in the build cache as ``words`` for the name rules and
``mentions`` for the mention finder): the names it covers, and what was found in each text, by
the paper's feature key (:func:`.features.feature_key`, a hash of its text).
"""
from __future__ import annotations

import bisect
import re
from typing import Callable, Iterable, Mapping

from ..model import Collection
from .automata import Automaton

__all__ = ["automaton", "whole_words", "WordScan", "scan_hits", "searched_texts", "forms_written_in",
           "lower_same_length"]


def automaton(forms: Iterable, value: Callable = lambda form: form) -> Automaton | None:
    """An automaton over ``forms`` (strings, or (case-sensitive, string) pairs whose string is
    matched), or None when there are none."""
    forms = list(forms)
    if not forms:
        return None
    return Automaton((form if isinstance(form, str) else form[1], value(form)) for form in forms)


def whole_words(auto: Automaton | None, text: str) -> set[str]:
    """The forms written with no letter or digit right before or after (``text`` is padded)."""
    seen: set[str] = set()
    if auto is None:
        return seen
    for start, end, form in auto.find(text):
        if not text[start - 1].isalnum() and not text[end].isalnum():
            seen.add(form)
    return seen


# A run of letters and digits: ``[^\W_]`` is exactly what ``str.isalnum`` accepts.
_RUN = re.compile(r"[^\W_]+")
# The same runs of an ASCII text: its other bytes become spaces, and the bytes split at them.
_ASCII_RUNS = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + bytes([32] * 128)


# Up to this many forms (a day's new names), the automaton alone is quicker: their few hits
# inside longer words cost less than cutting every known text into its runs.
_FEW = 1000


class _WholeWords:
    """Which of some forms a text writes as whole words, as :func:`whole_words` answers.

    Most forms are one run of letters and digits ("adam", "CLIP"). An automaton reports such a
    form inside every longer word too ("sam" in "same"): at 60,000 papers that was 30 million
    hits for Python to turn down one by one, most of the name rules' time. A one-run form is
    written as a whole word exactly when it is one of the text's runs, which a set intersection
    answers; only the other forms ("model soup", "GPT-4") go through the automaton."""

    def __init__(self, forms: set[str]):
        if len(forms) <= _FEW:
            self.single, self.auto = frozenset(), automaton(forms)
            return
        self.single = frozenset(form for form in forms if _RUN.fullmatch(form))
        self.ascii = frozenset(form.encode("ascii") for form in self.single if form.isascii())
        self.auto = automaton(forms - self.single)

    def __call__(self, text: str) -> set[str]:
        """The forms ``text`` (padded with a space at each end) writes as whole words.

        Nearly every text is ASCII: its runs are cut from its bytes, in 40 % less time than
        ``_RUN.findall`` takes, and bytes are looked up in the set a sixth faster than strings
        (at 62,711 papers, cutting runs and looking them up was 4 s of the name rules)."""
        seen = whole_words(self.auto, text)
        if not self.single:
            return seen
        if text.isascii():
            seen.update(run.decode("ascii") for run in
                        self.ascii.intersection(text.encode("ascii").translate(_ASCII_RUNS).split()))
        else:
            seen |= self.single.intersection(_RUN.findall(text))
        return seen


class WordScan:
    """Which of a set of forms each paper's title and abstract write as whole words, as
    written (``"raw"``) or in any case (``"low"``); :meth:`memo` is what the next build reuses.
    The memo is keyed by each paper's :func:`.features.feature_key`, which changes whenever its
    title or abstract does (``keys``: paper id -> key, when the caller has worked them out)."""

    MODES = ("raw", "low")

    def __init__(self, collection: Collection, previous: Mapping | None = None, keys: Mapping[str, str] | None = None):
        previous = previous or {}
        self._papers = list(collection.papers.values())
        if keys is None:
            from .features import feature_keys  # features imports the name rules, which import this

            keys = feature_keys(collection)
        self._keys = [keys[p.id] for p in self._papers]
        self._known: Mapping[str, frozenset] = previous.get("forms", {})
        self._seen: Mapping[str, Mapping[str, frozenset]] = previous.get("papers", {})
        self._asked: dict[str, set] = {mode: set() for mode in self.MODES}
        self._found: list[dict[str, frozenset]] = [{mode: frozenset() for mode in self.MODES} for _ in self._papers]

    @property
    def keys(self) -> list[str]:
        """The papers' keys, in collection order."""
        return self._keys

    def written(self, asked: Mapping[str, set[str]]) -> dict[str, list[frozenset[str]]]:
        """For each mode asked (its forms), and each paper in collection order, the forms it writes.

        The modes are read in one pass: each paper's text is made and its memo entry looked up
        once for both (the name rules of a day added to 62,410 papers: 4.68 and 4.88 s with a
        pass per mode, 4.61 and 4.64 s so). A known text that writes none of the new forms gets the
        earlier build's set itself, when no form was dropped: the memo is then made of the same
        sets, and compared and kept without building 10,000 of them again (the name rules of a
        daily build: 0.58 to 0.51 s)."""
        plans = []
        for mode in self.MODES:
            if mode in asked:
                forms = asked[mode]
                known = self._known.get(mode, frozenset())
                plans.append((mode, mode == "low", _WholeWords(forms), _WholeWords(forms - known), known - forms, []))
        for paper, key, found in zip(self._papers, self._keys, self._found):
            text = f" {paper.title} {paper.abstract} "
            before = self._seen.get(key)
            for mode, lower, everything, new, dropped, out in plans:
                read = text.lower() if lower else text
                if before is not None and mode in before:
                    hit = before[mode] - dropped if dropped else before[mode]
                    more = new(read)
                    if more:
                        hit = hit | more
                else:
                    hit = frozenset(everything(read))
                found[mode] = found[mode] | hit if found[mode] else hit
                out.append(hit)
        for mode, *_, out in plans:
            self._asked[mode] |= asked[mode]
        return {plan[0]: plan[-1] for plan in plans}

    def memo(self) -> dict:
        """What the next build passes as ``previous``. A text whose sets are the earlier build's
        own has the earlier memo's entry itself, so that the build cache writes only the entries
        that changed (at 62,711 papers the whole memo is 13 MB of pickle)."""
        seen = self._seen

        def entry(key: str, found: dict) -> dict:
            before = seen.get(key)
            if before is not None and before.keys() == found.keys() and all(before[m] is found[m] for m in found):
                return before
            return dict(found)

        return {"forms": {mode: frozenset(forms) for mode, forms in self._asked.items()},
                "papers": {key: entry(key, found) for key, found in sorted(zip(self._keys, self._found))}}


def _anywhere(automata: tuple, text: str) -> bool:
    sensitive, insensitive = automata
    return ((sensitive is not None and bool(sensitive.find(text)))
            or (insensitive is not None and bool(insensitive.find(lower_same_length(text)))))


def scan_hits(whole: str, units: Callable[[], list[str]], forms: frozenset, before: tuple | None,
              everything: tuple, new: tuple, boundary_ok: Callable[[str, int, int], bool],
              dropped: frozenset = frozenset()) -> tuple[tuple, frozenset]:
    """Each unit's well-bounded occurrences of ``forms`` ((case-sensitive, string) pairs) as
    ``(start, end, case-sensitive, string)``, and the pairs among them. ``before`` holds the same
    for an earlier build's forms (None: not scanned before), of which ``dropped`` are no longer
    looked for; ``everything`` and ``new`` are automata (case-sensitive, case-insensitive;
    values are the pairs) over all the forms and over those the earlier build did not look for.
    Case-insensitive forms are matched in lower case with hyphens as spaces. ``units`` (the
    parts of ``whole``, the text) is called only when some text must be scanned.

    A known text is given back as it was unless it writes a dropped or a new form (the pairs it
    writes say which without a look at every hit: going through all of them again was a fifth
    of a daily build's search for mentions)."""
    if before is not None:
        hits, written = before
        if dropped and not dropped.isdisjoint(written):
            hits = tuple(tuple(h for h in unit if (h[2], h[3]) not in dropped) for unit in hits)
            written = written - dropped
        searched = new
        # Most known texts write none of a day's new forms: one look at the whole text says so
        # before it is cut into sentences.
        if not _anywhere(searched, whole):
            return hits, written
        kept = [list(unit) for unit in hits]
    else:
        kept = None
        searched = everything
    sensitive, insensitive = searched
    texts = units()
    if kept is None:
        kept = [[] for _ in texts]
    # The units are read as one text, each after a NUL: a look per automaton and paper rather
    # than per sentence (the loop over the sentences was a tenth of the mentions' time). An
    # occurrence counts where it lies within one unit, as if that unit had been read alone.
    joined = "\0".join(texts)  # as searched_texts() joins them
    starts, at = [], 0
    for unit in texts:
        starts.append(at)
        at += len(unit) + 1
    for auto, text in ((sensitive, joined), (insensitive, _lowered(texts, joined) if insensitive else "")):
        if auto is None:
            continue
        for start, end, (cs, form) in auto.find(text):
            i = bisect.bisect_right(starts, start) - 1
            unit, at = texts[i], starts[i]
            if end - at <= len(unit) and boundary_ok(unit, start - at, end - at):
                kept[i].append((start - at, end - at, cs, form))
    hits = tuple(tuple(sorted(found)) for found in kept)
    return hits, frozenset((h[2], h[3]) for unit in hits for h in unit)


def searched_texts(units: list[str]) -> tuple[str, str]:
    """The two strings :func:`scan_hits` reads for a text cut into ``units``: the units joined,
    as written and lowered as the case-insensitive forms are matched."""
    joined = "\0".join(units)
    return joined, _lowered(units, joined)


def forms_written_in(forms: frozenset, texts: Iterable[tuple[str, str]], endings: tuple[str, ...]) -> frozenset:
    """Those of ``forms`` ((case-sensitive, string) pairs) that may occur in one of ``texts``
    (:func:`searched_texts`) with no letter or digit right before, and right after, none or one
    of ``endings`` closing a word: what the mentions' rules let count ("CLIP", "CLIPs", not
    "GeoCLIP"). More may be kept, never fewer: in such an occurrence each run of letters and
    digits of the form is one of the text's, but the last, which may be one less an ending. A
    form that does not open with a letter or digit is kept.

    A day's few hundred new texts are read for every form of the collection: the automata of
    the 104,000 forms of 62,711 papers took half a second to make, where a set lookup or a few
    per form leave the 12,000 worth it (most forms are whole titles, which few texts write word
    for word), and the mentions took 2.0 to 2.1 s against 2.7 to 2.8 s (daily builds, traced).

    Runs are compared as UTF-8 (the same runs, compared alike), cut from an ASCII string's bytes
    by :data:`_ASCII_RUNS` as :class:`_WholeWords` cuts them: the 18,420 forms of 10,784 papers
    in 0.040-0.044 s against 0.059-0.080 s with the regular expression per form (in the process,
    taking turns)."""
    runs: dict[bool, set[bytes]] = {True: set(), False: set()}
    for written, lowered in texts:
        runs[True].update(_runs(written))
        runs[False].update(_runs(lowered))
    tails = tuple(ending.encode("utf-8") for ending in endings)

    def ends(run: bytes, known: set[bytes]) -> bool:
        return run in known or any(run + ending in known for ending in tails)

    kept = []
    for pair in forms:
        cs, form = pair
        if not form[:1].isalnum():
            kept.append(pair)
            continue
        known = runs[cs]
        parts = _runs(form)
        first = parts[0]
        if form.isalnum():  # the form is one run
            if ends(first, known):
                kept.append(pair)
        elif first in known:  # most whole titles stop here
            if not form[-1].isalnum():  # the form's own last character ends its last run
                if known.issuperset(parts[1:]):
                    kept.append(pair)
            elif known.issuperset(parts[1:-1]) and ends(parts[-1], known):
                kept.append(pair)
    return frozenset(kept)


def _runs(text: str) -> list[bytes]:
    """The runs of letters and digits of ``text`` (as ``_RUN.findall`` finds them), in UTF-8."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_RUNS).split()
    return [run.encode("utf-8") for run in _RUN.findall(text)]


def _lowered(texts: list[str], joined: str) -> str:
    """``"\\0".join(lower_same_length(t) for t in texts)``, where ``joined`` is the texts so
    joined: a NUL is neither cased nor ignored by case, so each text lowers in the whole as it does
    alone, unless a letter lowers to two characters somewhere."""
    low = joined.lower()
    if len(low) == len(joined):
        return low.replace("-", " ")
    return "\0".join(lower_same_length(t) for t in texts)


def lower_same_length(text: str) -> str:
    """Lower case, with hyphens as spaces ("model-soup" is "model soup"), keeping every offset."""
    low = text.lower()
    if len(low) != len(text):  # rare letters such as "İ" lower to two characters
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.replace("-", " ")
