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
from typing import Iterable

from .errors import Diagnostic
from .model import Collection, Digest, Paper, PaperRecord
from .slugs import short_hash, slugify
from .text import fold

__all__ = ["build_collection", "duplicate_diagnostics", "paper_key", "paper_slug"]

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
    records = sorted(records, key=lambda r: (r.date, r.path, r.line))
    latest = records[-1]
    links: list[str] = []
    for r in reversed(records):
        for url in r.links:
            if url not in links:
                links.append(url)
    return Paper(
        id=slug,
        title=latest.title,
        abstract=latest.abstract,
        dates=tuple(sorted({r.date for r in records})),
        sources=tuple(f"{r.path}:{r.line}" for r in records),
        arxiv_id=next((r.arxiv_id for r in reversed(records) if r.arxiv_id), None),
        authors=latest.authors or next((r.authors for r in reversed(records) if r.authors), ()),
        categories=latest.categories or next((r.categories for r in reversed(records) if r.categories), ()),
        links=tuple(links),
        upvotes=max((r.upvotes for r in records if r.upvotes is not None), default=None),
        keywords=latest.keywords or next((r.keywords for r in reversed(records) if r.keywords), ()),
    )


def build_collection(records: Iterable[PaperRecord]) -> Collection:
    """Group records into papers; the result does not depend on the order of ``records``."""
    groups: dict[str, list[PaperRecord]] = defaultdict(list)
    for record in records:
        groups[paper_key(record)].append(record)

    papers: dict[str, Paper] = {}
    taken: dict[str, str] = {}
    for key in sorted(groups):
        records = groups[key]
        first = records[0] if len(records) == 1 else min(records, key=lambda r: (r.date, r.path, r.line))
        slug = paper_slug(first, key)
        if slug in taken:
            slug = f"{slug}-{short_hash(key)}"
        taken[slug] = key
        papers[slug] = _merge(key, records, slug)

    per_file: dict[tuple[str, object], int] = defaultdict(int)
    for recs in groups.values():
        for r in recs:
            per_file[(r.path, r.date)] += 1
    digests = tuple(Digest(path, date, n) for (path, date), n in sorted(per_file.items(), key=lambda kv: (kv[0][1], kv[0][0])))
    return Collection(papers=dict(sorted(papers.items())), digests=digests)


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
