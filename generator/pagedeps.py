"""Which paper pages may have changed since the last build, found without looking at each page.

The render memo (:mod:`generator.pagememo`) knows a page is unchanged by fingerprinting what it
is made from, which means making every page's inputs and hashing them: at 10,440 papers plus a
day, 0.4 s of CPU for 10,916 pages, more than rendering the 2,236 that changed. A paper's page
is a function of a few things (:class:`generator.site.PaperInputs`): the paper, the titles (and
first day) of the papers it names, is named by and is related to, its related list, its topics
with their names and its reasons, its aliases, and the mentions to and from it. So each build
keeps, with the memo, a compact record of the analysis's part of that (:func:`page_deps`); the
next one compares the two records and adds the papers that changed themselves and those that
show a changed paper's title (:func:`stale_papers`). Every other paper page is the memo's.

This holds only between two builds of one collection state: the record is written in the same
file as the memo's index, and it is used only when the collection the build added its day to is
the one the recording build left (the digests' keys match) and the pages are rendered with the
same templates and URL style. Otherwise every page is fingerprinted, as before. The tests check
the stale set against fingerprints, page by page, over builds day by day and over random
changes to every part of a page's inputs.
"""
from __future__ import annotations

from operator import attrgetter
from typing import Any, Mapping

from .model import Analysis

__all__ = ["page_deps", "stale_papers"]

_TARGET = attrgetter("target")
_PARTS = ("related", "topics", "reasons", "aliases")  # the per-paper parts of a record


def page_deps(analysis: Analysis, *, basis: Any) -> dict:
    """What of ``analysis`` the paper pages show, by part, with ``basis`` (what must be the same
    for the record to be used at all: the collection's digests, the renderer's key, the URL
    style).

    Plain values, which pickle and compare quickly: by paper, its related papers' ids, its
    topics' ids (as the analysis holds them), its reasons (ditto), the names it introduced
    (whole titles left out, as on its page); the mentions as one set; the topics' names."""
    aliases = {}
    for pid, items in analysis.aliases.items():
        names = tuple([a.name for a in items if a.how != "full-title"])
        if names:
            aliases[pid] = names
    return {"basis": basis, "related": {pid: tuple(map(_TARGET, rel)) for pid, rel in analysis.related.items()},
            "topics": dict(analysis.paper_topics), "reasons": dict(analysis.topic_reasons), "aliases": aliases,
            "mentions": frozenset(analysis.mentions), "names": {t.id: t.name for t in analysis.topics}}


def stale_papers(before: Mapping | None, now: Mapping, changed: set[str], papers: Mapping, *,
                 basis: Any) -> set[str] | None:
    """The papers whose page may differ from the one rendered when ``before`` was recorded
    (:func:`page_deps`), given ``now`` and the papers that ``changed`` themselves (new, listed
    again, or otherwise not the objects the last build had); None when ``before`` cannot tell:
    none, or recorded on another ``basis`` than the one this build's pages and unchanged papers
    stand on. ``papers`` is the collection's.

    A paper is stale when a part of its record or its mentions differ, when a topic it is in was
    renamed, or when a paper its page names (by mention, as related, or as the source of a
    mention) changed: that page shows the other's title or first day."""
    if not isinstance(before, Mapping) or before.keys() != now.keys() or before["basis"] != basis:
        return None
    stale = set(changed)
    for part in _PARTS:
        old, new = before[part], now[part]
        stale.update([pid for pid, value in new.items() if old.get(pid) != value])
        stale.update(old.keys() - new.keys())
    for m in before["mentions"] ^ now["mentions"]:
        stale.update((m.source, m.target))
    renamed = {tid for tid, name in now["names"].items() if before["names"].get(tid) != name}
    renamed |= before["names"].keys() - now["names"].keys()
    if renamed:
        stale.update([pid for pid, tops in now["topics"].items() if not renamed.isdisjoint(tops)])
    if changed:
        stale.update([pid for pid, rel in now["related"].items() if not changed.isdisjoint(rel)])
        for m in now["mentions"]:
            if m.source in changed:
                stale.add(m.target)
            if m.target in changed:
                stale.add(m.source)
    return {pid for pid in stale if pid in papers}
