"""What each paper's own text says, apart from every other paper: the acronyms it spells out and
the names it may have introduced (:func:`paper_names`), and the words and phrases its text
vector counts (:func:`paper_terms`).

This is most of the text work of a build, and it depends on nothing but the paper, so it is
done once per paper and keyed by the paper's content, so that a later build can reuse it:
adding a day then costs the new papers' work, not the whole collection's. The two kinds are
worked out by the two sides of the analysis that use them, side by side, each in its own
process (see :func:`generator.analysis.analyse`): worked out together before them, by this
process and a helper, half the features had to be pickled across to this process, and each
side held both kinds.
"""
from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..model import Alias, Collection, Paper
from .acronyms import acronym_definitions, remember_acronyms
from .aliases import paper_aliases
from .phrases import analyze

__all__ = ["NameFeatures", "paper_names", "paper_terms", "terms_key", "feature_key", "feature_keys", "collection_features",
           "name_features", "term_features"]


@dataclass(frozen=True)
class NameFeatures:
    acronyms: tuple  # acronym_definitions(paper.abstract)
    candidates: tuple[Alias, ...]  # the names the paper may own, before the collection's vocabulary rules


def paper_terms(paper) -> tuple[str, str, bytes, bytes]:
    """All the tokenising a text vector (:func:`.similarity.tfidf_matrix`) needs, kept per paper
    between builds: the features of the title, and each feature of the text (the title counts
    twice) with its count; and their :func:`terms_key`.

    Features are joined by newlines (a feature never holds one) and counts packed as uint32:
    strings and bytes are read from the cache file in one copy each, where a dict per paper cost
    a pickle entry per feature (a second at 10,000 papers). The packing is the standard
    library's, not numpy's, which the side of the analysis that needs it may not have imported
    yet (see ``build.LATER``)."""
    title = analyze(paper.title)
    counts = Counter(title + title + analyze(paper.abstract))
    terms = "\n".join(dict.fromkeys(title)), "\n".join(counts), array("I", counts.values()).tobytes()
    return (*terms, terms_key(terms))


def terms_key(terms: tuple) -> bytes:
    """A hash of a paper's terms (the first three of :func:`paper_terms`), by which its text vector
    is kept between builds: worked out with the terms, once for each paper, rather than by every
    build for every paper (0.04 s of a daily build's side that finds the topics)."""
    title, words, counts = terms[:3]
    return hashlib.blake2b(f"{title}\x00{words}\x00".encode("utf-8") + counts, digest_size=12).digest()


def paper_names(paper: Paper) -> NameFeatures:
    return NameFeatures(acronym_definitions(paper.abstract), tuple(paper_aliases(paper)))


def feature_key(paper: Paper) -> str:
    """Everything :func:`paper_names` and :func:`paper_terms` read of a paper, hashed."""
    text = "\x00".join((paper.id, paper.title, paper.abstract, *paper.links))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def feature_keys(collection: Collection) -> dict[str, str]:
    return {pid: feature_key(p) for pid, p in collection.papers.items()}


def collection_features(collection: Collection, keys: Mapping[str, str], features: Callable[[Paper], Any],
                        known: Mapping[str, Any] | None = None,
                        elsewhere: tuple[frozenset[str], Callable[[], Mapping[str, Any]]] | None = None
                        ) -> tuple[dict[str, Any], dict[str, Any]]:
    """``features(paper)`` (:func:`paper_names` or :func:`paper_terms`) by paper id, and by key
    (what a later build may reuse). ``keys`` are the papers' :func:`feature_key`; ``known`` holds
    the features of earlier builds by key: only the papers missing from it are worked on, in this
    process (the other side of the analysis keeps the other core busy). ``elsewhere`` is a set
    of keys whose features another process works out, and the function that gives them (by
    key), asked once the others are done."""
    known = known or {}
    away, taken = elsewhere or (frozenset(), None)
    fresh = {keys[pid]: features(p) for pid, p in collection.papers.items()
             if keys[pid] not in known and keys[pid] not in away}
    if taken is not None:
        fresh.update(taken())
    by_key = {k: fresh[k] if k in fresh else known[k] for k in sorted(set(keys.values()))}
    return {pid: by_key[k] for pid, k in keys.items()}, by_key


def name_features(collection: Collection, keys: Mapping[str, str], known: Mapping[str, Any] | None = None
                  ) -> tuple[dict[str, NameFeatures], dict[str, NameFeatures]]:
    """:func:`collection_features` of :func:`paper_names`; the acronyms are handed to the steps
    after it in this process, which ask for the same ones."""
    by_paper, by_key = collection_features(collection, keys, paper_names, known)
    remember_acronyms({p.abstract: by_paper[pid].acronyms for pid, p in collection.papers.items()})
    return by_paper, by_key


def term_features(collection: Collection, keys: Mapping[str, str], known: Mapping[str, Any] | None = None,
                  elsewhere: tuple[frozenset[str], Callable[[], Mapping[str, Any]]] | None = None
                  ) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """:func:`collection_features` of :func:`paper_terms`."""
    return collection_features(collection, keys, paper_terms, known, elsewhere)
