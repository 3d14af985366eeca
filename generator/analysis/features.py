"""What each paper's own text says, apart from every other paper: the acronyms it spells out,
the names it may have introduced, and the words and phrases its text vector counts.

This is most of the text work of a build, and it depends on nothing but the paper, so it is
done once per paper, in worker processes, and keyed by the paper's content so that a later
build can reuse it: adding a day then costs the new papers' work, not the whole collection's.
"""
from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Mapping

from ..model import Alias, Collection, Paper
from ..parallel import parallel_map
from .acronyms import acronym_definitions, remember_acronyms
from .aliases import paper_aliases
from .phrases import analyze

__all__ = ["PaperFeatures", "paper_features", "paper_terms", "feature_key", "collection_features"]


@dataclass(frozen=True)
class PaperFeatures:
    acronyms: tuple  # acronym_definitions(paper.abstract)
    candidates: tuple[Alias, ...]  # the names the paper may own, before the collection's vocabulary rules
    terms: tuple  # paper_terms(paper): title features, every feature and its count


def paper_terms(paper) -> tuple[str, str, bytes]:
    """All the tokenising a text vector (:func:`.similarity.tfidf_matrix`) needs, kept per paper
    between builds: the features of the title, and each feature of the text (the title counts
    twice) with its count.

    Features are joined by newlines (a feature never holds one) and counts packed as uint32:
    strings and bytes cross from the worker processes and the cache file in one copy each,
    where a dict per paper cost a pickle entry per feature (a second at 10,000 papers). The
    packing is the standard library's, not numpy's: this module is part of reading a
    collection, which runs before numpy is needed (see ``build.LATER``)."""
    title = analyze(paper.title)
    counts = Counter(title + title + analyze(paper.abstract))
    return "\n".join(dict.fromkeys(title)), "\n".join(counts), array("I", counts.values()).tobytes()


def paper_features(paper: Paper) -> PaperFeatures:
    return PaperFeatures(acronym_definitions(paper.abstract), tuple(paper_aliases(paper)), paper_terms(paper))


def feature_key(paper: Paper) -> str:
    """Everything :func:`paper_features` reads of a paper, hashed."""
    text = "\x00".join((paper.id, paper.title, paper.abstract, *paper.links))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def collection_features(collection: Collection, known: Mapping[str, PaperFeatures] | None = None, *,
                        meanwhile: Callable[[Callable[[], bool]], None] | None = None
                        ) -> tuple[dict[str, PaperFeatures], dict[str, PaperFeatures]]:
    """Features by paper id, and by key (what a later build may reuse). ``known`` holds the
    features of earlier builds by key; only the papers missing from it are worked on.
    ``meanwhile`` is :func:`.parallel.parallel_map`'s."""
    known = known or {}
    keys = {pid: feature_key(p) for pid, p in collection.papers.items()}
    missing = [p for pid, p in collection.papers.items() if keys[pid] not in known]
    fresh = dict(zip((keys[p.id] for p in missing), parallel_map(paper_features, missing, meanwhile=meanwhile)))
    by_key = {k: fresh[k] if k in fresh else known[k] for k in sorted(set(keys.values()))}
    by_paper = {pid: by_key[k] for pid, k in keys.items()}
    # Later steps (vocabulary rules, mentions) ask for the same acronyms: hand them over.
    remember_acronyms({p.abstract: by_paper[pid].acronyms for pid, p in collection.papers.items()})
    return by_paper, by_key
