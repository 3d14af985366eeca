"""Accumulate the records of every digest into one collection of papers.

The same paper is often listed on several days; it must become one page that
lists every day, under a URL that does not move when more days are added. So
the page id depends only on the paper itself (its arXiv id, else its title),
never on what else is in the collection, except in the rare case of two
different titles with the same slug, where the later one in sorted order gets
a hash suffix.
"""
from __future__ import annotations

import re
from collections import defaultdict
from itertools import chain
from typing import Iterable

from .errors import Diagnostic
from .model import Collection, Digest, Paper, PaperRecord
from .slugs import short_hash, slugify
from .text import fold

__all__ = ["build_collection", "collect", "extend", "duplicate_diagnostics", "paper_key", "paper_slug"]

# Characters whose loss in a slug would merge visibly different titles ("C++" vs "C").
_LOSSY = re.compile(r"[+#*&@%=<>|~^$§°]")
_VERSION = re.compile(r"v\d+$")


def paper_key(record: PaperRecord) -> str:
    """What makes two listings the same paper: the arXiv id, else the folded title."""
    if record.arxiv_id:
        return "arxiv:" + _VERSION.sub("", record.arxiv_id.strip().lower())
    folded = fold(record.title)
    # Symbols that fold() drops still tell titles apart ("C++" vs "C#").
    symbols = "".join(_LOSSY.findall(record.title))
    return "title:" + folded + (f" [{symbols}]" if symbols else "")


def paper_slug(record: PaperRecord, key: str | None = None) -> str:
    """The page name of the paper ``record`` is the first listing of (``key``: its
    :func:`paper_key`, if known)."""
    if record.arxiv_id:
        return slugify(key[len("arxiv:"):] if key else _VERSION.sub("", record.arxiv_id.strip().lower()))
    slug = slugify(record.title, fallback="paper")
    if _LOSSY.search(record.title) and not re.search(r"-[0-9a-f]{8}$", slug):
        slug = f"{slug}-{short_hash(key or paper_key(record))}"
    return slug


def _merge(key: str, records: list[PaperRecord], slug: str) -> Paper:
    # The newest listing's text wins: later digests fix typos, not add them.
    if len(records) == 1:  # most papers: what the general case below gives for one record
        r = records[0]
        return Paper(id=slug, title=r.title, abstract=r.abstract, dates=(r.date,), sources=(f"{r.path}:{r.line}",),
                     arxiv_id=r.arxiv_id or None, authors=r.authors or (), categories=r.categories or (),
                     links=tuple(dict.fromkeys(r.links)), upvotes=r.upvotes, keywords=r.keywords or ())
    records = sorted(records, key=_order)
    latest = records[-1]
    return Paper(
        id=slug,
        title=latest.title,
        abstract=latest.abstract,
        dates=tuple(sorted({r.date for r in records})),
        sources=tuple(f"{r.path}:{r.line}" for r in records),
        arxiv_id=next((r.arxiv_id for r in reversed(records) if r.arxiv_id), None),
        authors=latest.authors or next((r.authors for r in reversed(records) if r.authors), ()),
        categories=latest.categories or next((r.categories for r in reversed(records) if r.categories), ()),
        links=_newest_links(records),
        upvotes=max((r.upvotes for r in records if r.upvotes is not None), default=None),
        keywords=latest.keywords or next((r.keywords for r in reversed(records) if r.keywords), ()),
    )


def _newest_links(records: list[PaperRecord], earlier: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Each link once: the newest listing's first (``records`` oldest first), then ``earlier``."""
    return tuple(dict.fromkeys(chain(chain.from_iterable(r.links for r in reversed(records)), earlier)))


def build_collection(records: Iterable[PaperRecord]) -> Collection:
    """Group records into papers; the result does not depend on the order of ``records``."""
    return collect(records)[0]


def _order(record: PaperRecord) -> tuple:
    """Where a listing stands among a paper's listings: the newest is last."""
    return (record.date, record.path, record.line)


def collect(records: Iterable[PaperRecord]) -> tuple[Collection, dict[str, tuple[str, tuple, str]]]:
    """:func:`build_collection`'s collection, and what :func:`extend` needs to add records to it:
    for each paper key, the paper's id, where its newest listing stands (:func:`_order`) and the
    slug its first listing gives (before any suffix)."""
    groups: dict[str, list[PaperRecord]] = defaultdict(list)
    for record in records:
        groups[paper_key(record)].append(record)

    papers: dict[str, Paper] = {}
    index: dict[str, tuple[str, tuple, str]] = {}
    taken: dict[str, str] = {}
    for key in sorted(groups):
        records = groups[key]
        first = records[0] if len(records) == 1 else min(records, key=_order)
        slug = base = paper_slug(first, key)
        if slug in taken:
            slug = f"{slug}-{short_hash(key)}"
        taken[slug] = key
        papers[slug] = _merge(key, records, slug)
        index[key] = (slug, _order(records[0]) if len(records) == 1 else max(map(_order, records)), base)
    return Collection(papers=dict(sorted(papers.items())), digests=_digests(groups.values())), index


def _digests(groups: Iterable[list[PaperRecord]], counted: Iterable[Digest] = ()) -> tuple[Digest, ...]:
    per_file: dict[tuple[str, object], int] = defaultdict(int)
    for digest in counted:
        per_file[(digest.path, digest.date)] += digest.count
    for recs in groups:
        for r in recs:
            per_file[(r.path, r.date)] += 1
    return tuple(Digest(path, date, n) for (path, date), n in sorted(per_file.items(), key=lambda kv: (kv[0][1], kv[0][0])))


def extend(collection: Collection, index: dict[str, tuple[str, tuple, str]], records: Iterable[PaperRecord]
           ) -> tuple[Collection, dict[str, tuple[str, tuple, str]]] | None:
    """``collect(earlier + records)`` from ``collection, index = collect(earlier)``, without the
    earlier records: a daily build adds a day's listings to what the last build collected (at
    10,784 papers, reading every digest's records from the cache and collecting them again were
    a quarter of a second, before anything else could start). None where it could differ:
    a listing that stands before a paper's newest (a digest of an earlier day added later), or a
    new paper whose slug an earlier one has (which of them keeps the plain slug depends on all of
    their keys), or a digest counted before; the caller then collects everything."""
    groups: dict[str, list[PaperRecord]] = defaultdict(list)
    for record in records:
        groups[paper_key(record)].append(record)
    if not groups:
        return collection, index
    known_files = {(d.path, d.date) for d in collection.digests}
    if any((r.path, r.date) in known_files for recs in groups.values() for r in recs):
        return None
    papers = dict(collection.papers)
    index = dict(index)
    bases = {entry[2] for entry in index.values()}
    for key in sorted(groups):
        recs = sorted(groups[key], key=_order)
        if key in index:
            pid, last, base = index[key]
            if _order(recs[0]) <= last:
                return None
            papers[pid] = _extended(papers[pid], recs)
            index[key] = (pid, _order(recs[-1]), base)
            continue
        base = paper_slug(recs[0], key)
        if base in bases or base in papers:  # another paper's, earlier or of these records
            return None
        papers[base] = _merge(key, recs, base)
        index[key] = (base, _order(recs[-1]), base)
    return Collection(papers=dict(sorted(papers.items())), digests=_digests(groups.values(), collection.digests)), index


def _extended(paper: Paper, records: list[PaperRecord]) -> Paper:
    """:func:`_merge` of a paper's earlier listings (merged into ``paper``) and ``records``, its
    newer ones, in order: the same rules, with ``paper`` standing for the earlier listings."""
    latest = records[-1]

    def newest(field: str):
        return next((getattr(r, field) for r in reversed(records) if getattr(r, field)), None) or getattr(paper, field)

    upvotes = [r.upvotes for r in records if r.upvotes is not None] + ([paper.upvotes] if paper.upvotes is not None else [])
    return Paper(
        id=paper.id,
        title=latest.title,
        abstract=latest.abstract,
        dates=tuple(sorted(set(paper.dates) | {r.date for r in records})),
        sources=paper.sources + tuple(f"{r.path}:{r.line}" for r in records),
        arxiv_id=newest("arxiv_id"),
        authors=newest("authors"),
        categories=newest("categories"),
        links=_newest_links(records, paper.links),
        upvotes=max(upvotes, default=None),
        keywords=newest("keywords"),
    )


def duplicate_diagnostics(records: Iterable[PaperRecord]) -> list[Diagnostic]:
    """The same paper listed twice in one digest: merged into one page, but worth telling."""
    first: dict[tuple[str, str], PaperRecord] = {}
    diags = []
    for record in sorted(records, key=lambda r: (r.path, r.line)):
        if record.arxiv_id:  # arXiv lists a paper once per category it is cross-listed in
            continue
        key = (record.path, paper_key(record))
        if key in first:
            diags.append(Diagnostic(record.path, record.line,
                                    f"same paper as line {first[key].line} of this digest; merged into one page"))
        else:
            first[key] = record
    return diags
