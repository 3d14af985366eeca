"""Stable, safe page names.

A slug becomes a folder name on every reader's disk and a URL that others link
to, so it must be short, portable (``[a-z0-9-]``, no Windows device names) and
must not change when other papers are added to the collection.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["slugify", "short_hash", "MAX_SLUG"]

MAX_SLUG = 80
_RESERVED = {"con", "prn", "aux", "nul", "index", "tags", "assets", "search", "sitemap"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in range(10)
}


_WORDS = re.compile(r"[a-z0-9]+")


def short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def slugify(text: str, *, fallback: str = "item") -> str:
    """``[a-z0-9-]`` only, at most ``MAX_SLUG`` characters plus a hash where needed.

    A hash of the full text is appended when the readable part had to be cut,
    came out empty, or is a reserved name, so that distinct inputs stay distinct.

    >>> slugify("GIST: Generating Image-Specific Text")
    'gist-generating-image-specific-text'
    """
    norm = unicodedata.normalize("NFKD", text)
    ascii_text = norm.encode("ascii", "ignore").decode("ascii").lower()
    words = _WORDS.findall(ascii_text)
    slug = "-".join(words)
    needs_hash = False
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG] else slug[:MAX_SLUG]
        needs_hash = True
    if not slug:
        slug, needs_hash = fallback, True
    if slug in _RESERVED:
        needs_hash = True
    return f"{slug}-{short_hash(text)}" if needs_hash else slug
