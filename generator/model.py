"""The domain objects every stage passes along.

All of them are frozen so that a stage cannot quietly change what an earlier
stage produced; graph nodes and cross references are paper ids (strings) and
the objects live in one mapping (:attr:`Collection.papers`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

__all__ = [
    "PaperRecord", "Paper", "Digest", "Collection",
    "Alias", "Mention", "Related", "Topic", "Analysis",
]


@dataclass(frozen=True)
class PaperRecord:
    """One paper as one digest lists it, before de-duplication."""

    title: str
    abstract: str
    date: dt.date
    path: str  # the digest it came from, as given to the reader
    line: int  # 1-based line of the title in that digest
    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # http(s) URLs given with the record, beside those in the abstract
    upvotes: int | None = None  # Hugging Face daily-papers votes, where the digest has them
    keywords: tuple[str, ...] = ()  # keywords the digest gives (Hugging Face "ai_keywords")


@dataclass(frozen=True)
class Digest:
    """A digest file that was read: what the home and day pages report."""

    path: str
    date: dt.date
    count: int


@dataclass(frozen=True)
class Paper:
    """A paper of the collection: every listing of it merged into one page."""

    id: str  # stable slug; the page lives at papers/<id>/
    title: str
    abstract: str
    dates: tuple[dt.date, ...]  # every day it was listed, ascending
    sources: tuple[str, ...]  # "file:line" of every listing
    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # http(s) links found in the text or given with it, in order
    upvotes: int | None = None  # the highest count any listing gave
    keywords: tuple[str, ...] = ()

    @property
    def date(self) -> dt.date:
        """The first day the paper was listed: it orders "newest first" lists."""
        return self.dates[0]


@dataclass(frozen=True)
class Collection:
    """Every paper of every digest, keyed and ordered by id."""

    papers: Mapping[str, Paper]
    digests: tuple[Digest, ...] = ()

    @property
    def days(self) -> tuple[dt.date, ...]:
        return tuple(sorted({d for p in self.papers.values() for d in p.dates}))


@dataclass(frozen=True, order=True)
class Alias:
    """A name that a paper introduces, and how we know it does."""

    name: str
    paper: str
    how: str  # "title", "short-title", "full-title", "title-acronym", "definition", "proper-name", "named-acronym", "acronym", "repository"
    long_form: str | None = None  # for acronyms: the words it stands for


@dataclass(frozen=True, order=True)
class Mention:
    """``source`` names something ``target`` introduced: a citation-style link."""

    source: str
    target: str
    alias: str
    evidence: str  # the sentence of the source's abstract that names it
    start: int  # the name's span inside ``evidence``, for highlighting
    end: int


@dataclass(frozen=True, order=True)
class Related:
    """``target`` is among the papers most similar to ``source`` by their text."""

    source: str
    target: str
    weight: float


@dataclass(frozen=True)
class Topic:
    """A group of papers with a name a reader would recognise."""

    id: str
    name: str
    keyphrases: tuple[str, ...]
    papers: tuple[str, ...]  # paper ids, newest first
    description: str = ""
    parent: str | None = None  # name of the parent topic (curated topics only)
    curated: bool = False  # from content/topics.yml rather than discovered


@dataclass(frozen=True)
class Analysis:
    """Everything inferred from the collection, ready to plan pages from."""

    aliases: Mapping[str, tuple[Alias, ...]]  # paper id -> its aliases
    mentions: tuple[Mention, ...]
    related: Mapping[str, tuple[Related, ...]]  # paper id -> best first
    topics: tuple[Topic, ...]
    paper_topics: Mapping[str, tuple[str, ...]]  # paper id -> topic ids, its own topic first
    ambiguous: tuple[str, ...] = field(default=())  # names that more than one paper introduces
    topic_reasons: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # paper -> topic -> why
    topic_lock: tuple = ()  # LockedTopic records for the next build to keep
