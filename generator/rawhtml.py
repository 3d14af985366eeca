"""Which parts of a generated page are Markdown, and which raw HTML search should or should not see.

A paper page is a little Markdown (the title and the abstract) and a lot of raw HTML with final
URLs (dates, topics, mentions, related papers, the local graph); day and topic pages are mostly
long lists. Built by MkDocs alone, raw HTML is parsed by MkDocs' anchor collector, by
Python-Markdown's raw-HTML stash and by Material's search (which parses even the parts it then
leaves out): our build took twice the time of a bare build of the same titles and abstracts. So
the templates mark the raw parts with HTML comments, which change nothing for a plain
``mkdocs build``, and the ``papersite`` plugin gives Python-Markdown a one-line placeholder for
each, puts the searched parts back before Material's search reads the page and the others after.

Digest text cannot forge a marker: the renderer escapes ``<`` in every piece of it.
"""
from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["SEARCHED", "UNSEARCHED", "MARKDOWN", "Parts", "split_page", "placeholder"]

SEARCHED = "<!-- papersite:searched -->"  # raw HTML from here on, in the search index
UNSEARCHED = "<!-- papersite:unsearched -->"  # raw HTML from here on, kept out of it
MARKDOWN = "<!-- papersite:markdown -->"  # Markdown again from here on

_MARK = re.compile(r"^(<!-- papersite:(?:un)?searched -->|<!-- papersite:markdown -->)\n", re.M)


class Parts(NamedTuple):
    markdown: str  # the page's Markdown, each raw part replaced by its placeholder line
    html: tuple[tuple[bool, str], ...]  # (searched?, raw HTML) of each part, in page order


def placeholder(i: int) -> str:
    """An HTML comment: Python-Markdown passes it through as it is, and search skips it."""
    return f"<!-- papersite:part {i} -->"


def split_page(markdown: str) -> Parts | None:
    """The parts of a page whose template marks them (a marker is a line of its own), or None
    for a page without markers."""
    pieces = _MARK.split(markdown)
    if len(pieces) == 1:
        return None
    text, html = [pieces[0]], []
    for mark, piece in zip(pieces[1::2], pieces[2::2]):
        if mark == MARKDOWN:
            text.append(piece)
        else:
            text.append(f"\n{placeholder(len(html))}\n\n")
            html.append((mark == SEARCHED, piece))
    return Parts("".join(text), tuple(html))
