"""Find where one paper names what another introduced: citation-style links.

All aliases go into two Aho–Corasick automata (one case-sensitive for coined
names, one over lower-cased text for word phrases), so the cost grows with the
amount of text, not with text × aliases. Each hit is then checked against how
names are written: whole tokens only ("GeoRSCLIP" does not name CLIP), no other
version ("Inception-v3" is not Inception-v4), while possessives, plurals and
"-based" compounds still count.
"""
from __future__ import annotations

import re
from collections import defaultdict

import ahocorasick

from ..model import Alias, Collection, Mention
from ..text import fold, sentences
from .names import case_sensitive

__all__ = ["find_mentions", "match_aliases"]

_VERSION_AFTER = re.compile(r"-?(?:v|V|ver)?\d")
_OK_SUFFIX = re.compile(r"(?:'s|’s|s|es)(?![\w])")


def _variants(name: str) -> set[str]:
    """Surface forms of an alias: plural and singular of word phrases ("model soup(s)")."""
    forms = {name}
    if not case_sensitive(name):
        low = name.lower()
        forms.add(low)
        if low.endswith("s") and not low.endswith("ss"):
            forms.add(low[:-1])
        else:
            forms.add(low + "s")
    return forms


def _lower_same_length(text: str) -> str:
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _boundary_ok(text: str, start: int, end: int) -> bool:
    if start > 0:
        prev = text[start - 1]
        if prev.isalnum() or prev in "_":
            return False
        # "Open-CLIP", "Geo-CLIP": a hyphen joined to a word makes another name.
        if prev == "-" and start > 1 and text[start - 2].isalnum():
            return False
    if end < len(text):
        nxt = text[end]
        rest = text[end:]
        if nxt.isalnum() or nxt == "_":
            m = _OK_SUFFIX.match(rest)
            return bool(m) and text[end - 1].isupper()  # "CLIPs" but not "POINTSet"
        if nxt == "-" and _VERSION_AFTER.match(rest[1:] if rest.startswith("-") else rest):
            return False  # "Inception-v3", "GPT-4"
        if nxt in "'’" and rest[1:2].isdigit():
            return False  # "NEVIS'22" is not NEVIS
    return True


class _Matcher:
    def __init__(self, aliases: dict[str, tuple[Alias, ...]]):
        self.sensitive = ahocorasick.Automaton()
        self.insensitive = ahocorasick.Automaton()
        owners: dict[tuple[bool, str], set[tuple[str, str]]] = defaultdict(set)
        for pid, items in aliases.items():
            for alias in items:
                for form in _variants(alias.name):
                    cs = case_sensitive(alias.name)
                    owners[(cs, form if cs else form.lower())].add((pid, alias.name))
        for (cs, form), who in sorted(owners.items()):
            (self.sensitive if cs else self.insensitive).add_word(form, (form, tuple(sorted(who))))
        self.empty_s = len(self.sensitive) == 0
        self.empty_i = len(self.insensitive) == 0
        if not self.empty_s:
            self.sensitive.make_automaton()
        if not self.empty_i:
            self.insensitive.make_automaton()

    def hits(self, text: str):
        """Yield ``(start, end, owners)`` for each well-bounded alias occurrence, longest first at a position."""
        raw = []
        if not self.empty_s:
            for end, (form, who) in self.sensitive.iter(text):
                raw.append((end - len(form) + 1, end + 1, who))
        if not self.empty_i:
            for end, (form, who) in self.insensitive.iter(_lower_same_length(text)):
                raw.append((end - len(form) + 1, end + 1, who))
        raw.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        covered = -1
        for start, end, who in raw:
            if start < covered or not _boundary_ok(text, start, end):
                continue
            covered = end
            yield start, end, who


def match_aliases(text: str, aliases: dict[str, tuple[Alias, ...]]):
    """Convenience for tests and tools: the ``(matched text, owners)`` found in ``text``."""
    return [(text[s:e], who) for s, e, who in _Matcher(aliases).hits(text)]


def _resolve(owners, sentence: str, long_forms: dict[str, dict[str, str]]):
    """Pick the one paper a shared name means here, by the long form written near it."""
    pids = sorted({pid for pid, _ in owners})
    if len(pids) == 1:
        return pids[0]
    folded = fold(sentence)
    chosen = [pid for pid in pids if any(fold(lf) in folded for lf in long_forms.get(pid, {}).values() if lf)]
    return chosen[0] if len(chosen) == 1 else None


def find_mentions(collection: Collection, aliases: dict[str, tuple[Alias, ...]]
                  ) -> tuple[tuple[Mention, ...], tuple[str, ...]]:
    """Every (source, target) link with its first evidence sentence, and the names left ambiguous."""
    matcher = _Matcher(aliases)
    long_forms = {pid: {a.name: a.long_form for a in items if a.long_form} for pid, items in aliases.items()}
    own = {pid: {a.name for a in items} for pid, items in aliases.items()}
    mentions: dict[tuple[str, str], Mention] = {}
    ambiguous: set[str] = set()
    for pid, paper in collection.papers.items():
        text = paper.abstract
        spans = sentences(text)
        for start, end, owners in matcher.hits(text):
            others = tuple((o, name) for o, name in owners if o != pid)
            # A paper naming its own alias is not citing anyone else by it.
            if not others or any(name in own.get(pid, ()) for _, name in owners):
                continue
            s0, s1 = next(((a, b) for a, b in spans if a <= start < b), (0, len(text)))
            sentence = text[s0:s1]
            target = _resolve(others, sentence, long_forms)
            if target is None:
                ambiguous.add(others[0][1])
                continue
            alias = next(name for o, name in others if o == target)
            key = (pid, target)
            if key not in mentions:
                mentions[key] = Mention(pid, target, alias, sentence, start - s0, end - s0)
    return tuple(sorted(mentions.values())), tuple(sorted(ambiguous))
