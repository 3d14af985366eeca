"""Atom feeds: the newest papers of the collection, and of each topic.

Readers follow a site through a feed reader, so every build writes one feed for the whole
collection and one per topic. The site's feed holds every paper of the latest listing day (a day
of arXiv listings brings about 340, which the 50 newest left mostly out) and at least the
``FEED_SIZE`` newest; a topic's, its ``FEED_SIZE`` newest. Dates come from the listing days (not
the clock) so that the same digests give the same feeds; ids are the page URLs when the site's
address is known, stable ``urn:`` ids otherwise. feedgen escapes the digest text that goes into
the XML.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import heapq
import posixpath
from typing import Callable, Container, Mapping

from .errors import GeneratorError
from .model import Collection, Topic

__all__ = ["feeds", "feeds_and_entries", "FEED_SIZE", "feed_path", "topic_feed_path"]

FEED_SIZE = 50


def feed_path() -> str:
    return "feeds/all.xml"


def topic_feed_path(tid: str) -> str:
    return f"feeds/topics/{tid}.xml"


def _when(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def _feed(collection: Collection, pids: list[str], *, title: str, subtitle: str, path: str, site_url: str,
          directory_urls: bool = True, rank: dict[str, int] | None = None, size: int = FEED_SIZE,
          entries: dict[str, str] | None = None, known: Mapping[str, str] | None = None) -> str:
    """``rank``: each paper's place in the order of the feeds' entries, newest first, worked out
    once for all feeds (sorting each topic's papers afresh was a sixth of the feeds' time);
    ``size``: how many of the newest it holds.

    feedgen writes each entry the same, whichever feed holds it: an entry is made once (a paper
    is in the site's feed and its topics'), or taken from ``known`` (an earlier build's, by
    :func:`_entry_key`), and the feed is feedgen's text of the feed without entries, with the
    entries' text where feedgen puts them (a test holds it to feedgen's whole feed). ``entries``
    gets every entry the feed holds, by key."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    # Without the site's address, links are relative to the feed itself, as Atom allows.
    up = posixpath.relpath(".", posixpath.dirname(path)) + "/"
    rank = rank if rank is not None else _ranks(collection)
    entries = {} if entries is None else entries
    known = known or {}
    newest = [collection.papers[p] for p in heapq.nsmallest(size, pids, key=rank.__getitem__)]
    fg = _generator()
    fg.id(base + path if base else f"urn:papersite:{path}")
    fg.title(title)
    fg.subtitle(subtitle or title)
    fg.link(href=base + path if base else posixpath.basename(path), rel="self")
    if base:
        fg.link(href=base, rel="alternate")
    fg.updated(_when(newest[0].dates[-1] if newest else dt.date(1970, 1, 1)))  # the latest of all
    fg.generator("papersite")
    keys, missing = [], []
    for paper in newest:
        page = f"papers/{paper.id}/" if directory_urls else f"papers/{paper.id}.html"
        url = f"{base}{page}" if base else f"{up}{page}"
        entry_id = url if base else f"urn:papersite:paper:{paper.id}"
        key = _entry_key(paper, url, entry_id)
        keys.append(key)
        if key not in entries:
            if key in known:
                entries[key] = known[key]
            else:
                missing.append((key, paper, url, entry_id))
    entries.update(_entries(missing))
    text = fg.atom_str(pretty=True).decode("utf-8")
    end = text.rindex("</feed>")
    return text[:end] + "".join([entries[key] for key in keys]) + text[end:]


def _generator():
    # Imported here, not with the module: the feeds are made beside the pages, by the side that
    # has time to spare, and feedgen with lxml was 8 % of every build's start at 1,000 papers.
    from feedgen.feed import FeedGenerator

    return FeedGenerator()


def _entry_key(paper, url: str, entry_id: str) -> str:
    """What an entry's text depends on, hashed: the paper's id, title, abstract, first 20 authors
    and first and last days, its page's address, the entry's id, and what writes it
    (:func:`_writers`)."""
    text = "\0".join((_writers(), entry_id, url, paper.id, paper.title, paper.abstract, paper.dates[0].isoformat(),
                      paper.dates[-1].isoformat(), *paper.authors[:20]))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@functools.cache
def _writers() -> str:
    """The versions of feedgen, lxml and libxml2, which write an entry's text: an entry kept by a
    build with others is made again (the generator's own code keys the whole build cache)."""
    from feedgen import version
    from lxml import etree

    return repr((version.version_full, etree.LXML_VERSION, etree.LIBXML_VERSION))


def _entries(missing: list[tuple]) -> dict[str, str]:
    """The text of each entry (key, paper, address, id) as feedgen writes it in a feed: all of
    them made in one feed, and cut apart (an entry's text is escaped: no line of it opens with
    a tag but its own)."""
    if not missing:
        return {}
    fg = _generator()
    fg.id("urn:papersite:entries")
    fg.title("entries")
    fg.updated(_when(dt.date(1970, 1, 1)))
    for _, paper, url, entry_id in reversed(missing):  # feedgen puts the last added first
        entry = fg.add_entry()
        entry.id(entry_id)
        entry.title(paper.title)
        entry.link(href=url)
        entry.updated(_when(paper.dates[-1]))
        entry.published(_when(paper.dates[0]))
        entry.summary(paper.abstract)
        if paper.authors:  # one call for all, as one call for each does
            entry.author([{"name": author} for author in paper.authors[:20]])
    text = fg.atom_str(pretty=True).decode("utf-8")
    body = text[text.index("  <entry>\n"):text.rindex("</feed>")]
    texts = ["  <entry>\n" + part for part in body.split("  <entry>\n")[1:]]
    if len(texts) != len(missing):  # cannot be: the feeds would be wrong
        raise GeneratorError(f"{len(missing)} feed entries were written as {len(texts)}")
    return {key: text for (key, *_), text in zip(missing, texts)}


def _ranks(collection: Collection) -> dict[str, int]:
    """Each paper's place among all, newest first: by the last day it was listed, then by id."""
    order = sorted(collection.papers.values(), key=lambda p: (p.dates[-1], p.id), reverse=True)
    return {p.id: i for i, p in enumerate(order)}


def feeds(collection: Collection, topics: tuple[Topic, ...], *, site_name: str, site_url: str = "",
          directory_urls: bool = True, until: Callable[[], bool] | None = None,
          skip: Container[str] = ()) -> dict[str, str]:
    """Every feed by its path: the site's, then each topic's. Each feed is a function of the
    collection and its topic alone, so they may be made in two goes: those made before ``until()``
    says to stop (asked before each), then the others, ``skip`` being the first ones' paths."""
    return feeds_and_entries(collection, topics, site_name=site_name, site_url=site_url,
                             directory_urls=directory_urls, until=until, skip=skip)[0]


def feeds_and_entries(collection: Collection, topics: tuple[Topic, ...], *, site_name: str, site_url: str = "",
                      directory_urls: bool = True, until: Callable[[], bool] | None = None,
                      skip: Container[str] = (), known: Mapping[str, str] | None = None
                      ) -> tuple[dict[str, str], dict[str, str]]:
    """:func:`feeds`, and the text of every entry they hold, by key: what a later build passes as
    ``known``, the entries of an earlier build, which are then not made again (a day added to
    10,440 papers changes 61 of 66 feeds, with a few hundred entries of 3,500 new)."""
    wanted = [(feed_path(), None)] + [(topic_feed_path(topic.id), topic) for topic in topics]
    wanted = [(path, topic) for path, topic in wanted if path not in skip]
    out: dict[str, str] = {}
    entries: dict[str, str] = {}
    if not wanted:
        return out, entries
    rank = _ranks(collection)
    for path, topic in wanted:
        if until is not None and until():
            break
        if topic is None:
            latest = max((p.dates[-1] for p in collection.papers.values()), default=None)
            size = max(FEED_SIZE, sum(1 for p in collection.papers.values() if p.dates[-1] == latest))
            out[path] = _feed(collection, list(collection.papers), title=site_name,
                              subtitle="The newest papers of the collection", path=path, site_url=site_url,
                              directory_urls=directory_urls, rank=rank, size=size, entries=entries, known=known)
        else:
            out[path] = _feed(collection, list(topic.papers), title=f"{site_name}: {topic.name}",
                              subtitle=topic.description, path=path, site_url=site_url,
                              directory_urls=directory_urls, rank=rank, entries=entries, known=known)
    return out, entries
