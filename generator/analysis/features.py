"""What each paper's own text says, apart from every other paper: the acronyms it spells out,
the names it may have introduced, and the words and phrases its text vector counts.

This is most of the text work of a build, and it depends on nothing but the paper, so it is
done once per paper, in worker processes, and keyed by the paper's content so that a later
build can reuse it: adding a day then costs the new papers' work, not the whole collection's.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Mapping

from ..model import Alias, Collection, Paper
from ..parallel import parallel_map
from .acronyms import acronym_definitions, remember_acronyms
from .aliases import paper_aliases
from .similarity import paper_terms

__all__ = ["PaperFeatures", "paper_features", "feature_key", "collection_features"]


@dataclass(frozen=True)
class PaperFeatures:
    acronyms: tuple  # acronym_definitions(paper.abstract)
    candidates: tuple[Alias, ...]  # the names the paper may own, before the collection's vocabulary rules
    terms: tuple  # similarity.paper_terms(paper): title features, every feature and its count


def paper_features(paper: Paper) -> PaperFeatures:
    return PaperFeatures(acronym_definitions(paper.abstract), tuple(paper_aliases(paper)), paper_terms(paper))


def feature_key(paper: Paper) -> str:
    """Everything :func:`paper_features` reads of a paper, hashed."""
    text = "\x00".join((paper.id, paper.title, paper.abstract, *paper.links))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def collection_features(collection: Collection, known: Mapping[str, PaperFeatures] | None = None
                        ) -> tuple[dict[str, PaperFeatures], dict[str, PaperFeatures]]:
    """Features by paper id, and by key (what a later build may reuse). ``known`` holds the
    features of earlier builds by key; only the papers missing from it are worked on."""
    known = known or {}
    keys = {pid: feature_key(p) for pid, p in collection.papers.items()}
    missing = [p for pid, p in collection.papers.items() if keys[pid] not in known]
    fresh = dict(zip((keys[p.id] for p in missing), parallel_map(paper_features, missing)))
    by_key = {k: fresh[k] if k in fresh else known[k] for k in sorted(set(keys.values()))}
    by_paper = {pid: by_key[k] for pid, k in keys.items()}
    # Later steps (vocabulary rules, mentions) ask for the same acronyms: hand them over.
    remember_acronyms({p.abstract: by_paper[pid].acronyms for pid, p in collection.papers.items()})
    return by_paper, by_key
