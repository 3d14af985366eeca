"""Pagefind, the chunked static search that ``search: pagefind`` uses: finding its binary, and
marking in a paper page's HTML what it should index (what Material's search would index).

Kept out of the MkDocs plugin, which only calls these at the right moments of a build.
"""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from mkdocs.exceptions import PluginError

__all__ = ["pagefind_executable", "mark_for_pagefind"]


def pagefind_executable() -> Path:
    """The Pagefind binary: from the `pagefind[bin]` packages, $PAGEFIND_BINARY_PATH or the PATH."""
    found = None
    try:
        from pagefind.service import get_executable
        found = get_executable()
    except ImportError:
        which = shutil.which("pagefind_extended") or shutil.which("pagefind")
        found = Path(which) if which else None
    if found is None or not Path(found).is_file():
        raise PluginError("papersite: search: pagefind needs Pagefind: pip install 'papersite[pagefind]' "
                          "(or set PAGEFIND_BINARY_PATH)")
    return Path(found)


_HEADING = re.compile(r"h[1-6]")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _TopLevel(HTMLParser):
    """Start tags of the top-level elements of a page body: (line, column, tag, attribute names)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.found = 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth == 0:
            self.found.append((*self.getpos(), tag, {name for name, _ in attrs}))
        if tag not in _VOID:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            self.found.append((*self.getpos(), tag, {name for name, _ in attrs}))

    def handle_endtag(self, tag):
        if tag not in _VOID:
            self.depth = max(0, self.depth - 1)


def mark_for_pagefind(html: str) -> str:
    """Put `data-pagefind-body` on the top-level elements of a page that Material's search would
    index: a heading marked `data-search-exclude` leaves out its whole section (up to the next
    heading), as it does in Material's index. Pages without the mark are not indexed at all."""
    parser = _TopLevel()
    parser.feed(html)
    parser.close()
    starts = [0]
    for line in html.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    excluded, marks = False, []
    for line, col, tag, attrs in parser.found:
        if _HEADING.fullmatch(tag):
            excluded = "data-search-exclude" in attrs
        if not excluded and "data-search-exclude" not in attrs:
            at = starts[line - 1] + col + 1 + len(tag)
            if html[at - len(tag) - 1:at].lower() == f"<{tag}":
                marks.append(at)
    for at in reversed(marks):
        html = html[:at] + " data-pagefind-body" + html[at:]
    return html
