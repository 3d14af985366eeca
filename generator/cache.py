"""What earlier builds worked out, so that a daily build redoes only the new day's work.

A group adds one digest a day to a collection of tens of thousands of papers; reading every
digest again and re-reading every abstract for its names would make each day cost the whole
year. Results that depend on nothing but their own input are kept between builds, keyed by a
hash of that input:

- ``digests``: the records and messages of a digest file, by the file's bytes and name;
- ``collection``: the papers collected from the digests, by the keys of those files, for the
  next build to add its new digests to (:func:`generator.build.read_collection`); a daily build
  adds a patch of the papers it added or changed;
- ``names`` and ``terms``: each paper's acronyms and candidate names, and its counted words, by
  the paper's text (each kind kept by the side of the analysis that uses it);
- ``vectors`` and ``rows``: the vocabulary and word weights, and each paper's text vector by its
  words, while the papers the weights are fitted on stay the same
  (:func:`generator.analysis.similarity.tfidf_matrix`);
- ``neighbours``: each paper's candidates (with both their cosines) and related list, by a hash
  of its vector (:func:`generator.analysis.similarity.related_papers`);
- ``reasons``: why each paper is in its topic, by the topic's phrases and the paper's text
  (:func:`generator.analysis.topics.find_topics`);
- ``words`` and ``mentions``: where each text writes the names looked for so far
  (:mod:`generator.analysis.scans`), and for the mentions each paper's state and result and the
  owners of every form (:func:`generator.analysis.mentions.find_mentions`); a daily build adds a
  patch of the entries it changed;
- ``pages``: each page's text, by a hash of its template and of what it is made from
  (:mod:`generator.pagememo`): an index, and the texts in a blob file (``pages.blob``) that a
  build maps rather than reads, and adds to; the index also holds what the paper pages were
  made from (:mod:`generator.pagedeps`), by which a daily build takes most of them unseen;
- ``lock``: the topics of the topic lock the last build wrote, by a hash of its text
  (:func:`generator.build._locked`).
- ``templates``: the page templates' compiled code, by template (Jinja checks it against the
  template's source: :class:`generator.render.Renderer`).

Each is used only where it gives what computing afresh would, so a build with the cache gives
exactly the output of a build without it (the tests check this, also day by day). Entries are
dropped when no build uses them any more (``digests``, ``names``, ``terms`` and ``rows``, which grow by
segment files, when they are next written whole: :func:`generator.output.write_cache`), and the whole
cache is ignored when the generator's code changes (the code's hash is part of every file).
The cache is the project's own working data, like its code: it is read with :mod:`pickle`, so
only papersite's own files in the cache folder are read (they start with a marker line), and
papersite writes nowhere else in that folder.
"""
from __future__ import annotations

import functools
import hashlib
import mmap
import os
import pickle
from pathlib import Path
from typing import Any

__all__ = ["CACHE_FOLDER", "MARKER", "SEGMENTS", "default_cache", "load_cache", "load_blob", "cache_segments",
           "cache_header", "file_key", "has_kind"]

CACHE_FOLDER = Path(".cache") / "papersite"  # beside the content folder, like Material's plugin caches
MARKER = b"papersite cache\n"
SEGMENTS = 32  # segment files a kind may have before it is written whole again
_PACKAGE = Path(__file__).resolve().parent


def default_cache(content: Path) -> Path:
    """``.cache/papersite`` in the folder that holds the content folder (the project's root)."""
    return Path(content).resolve().parent / CACHE_FOLDER


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the generator's code: results of other code are not reused."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def file_key(data: bytes, *parts: object) -> str:
    digest = hashlib.blake2b(data, digest_size=16)
    digest.update(repr(parts).encode("utf-8"))
    return digest.hexdigest()


def load_cache(folder: Path | None, kind: str, *, patched: bool = False) -> dict[str, Any]:
    """The entries an earlier build kept, or nothing (no folder, no file, other code, damage): the
    kind's file, updated by its segments in order (:func:`generator.output.write_cache`). A
    damaged or foreign segment is left out: each entry holds by itself. A ``patched`` kind's
    segments are patches, which update the entries that are mappings rather than replace them;
    one patch lost, the rest cannot tell what it changed, so the kind is left out."""
    if folder is None:
        return {}
    entries = _entries(Path(folder) / f"{kind}.pickle")
    if entries:
        for segment in cache_segments(Path(folder), kind):
            more = _entries(segment)
            if not patched:
                entries.update(more)
                continue
            if not more:
                return {}
            for key, value in more.items():
                old = entries.get(key)
                if isinstance(value, dict) and isinstance(old, dict):
                    old.update(value)
                else:
                    entries[key] = value
    return entries


def cache_segments(folder: Path, kind: str) -> list[Path]:
    """The kind's segment files, in the order they were written."""
    found = []
    while (path := folder / f"{kind}.{len(found) + 1}.pickle").is_file():
        found.append(path)
    return found


def _entries(path: Path) -> dict[str, Any]:
    """A cache file's entries, unpickled from the file's pages themselves (:func:`_mapped`)."""
    head = cache_header()
    try:
        with open(path, "rb") as fh, _mapped(fh) as data:
            if data[:len(head)] != head:
                return {}
            with memoryview(data) as whole, whole[len(head):] as body:
                entries = pickle.loads(body)
    except Exception:  # no file, an empty one, damage: a missing cache is only a slower build
        return {}
    return entries if isinstance(entries, dict) else {}


def _mapped(fh) -> mmap.mmap:
    """The file, mapped read-only. Read into memory of its own, each 4 KB page of the copy cost
    a page fault on first touch (the caches are 120 MB at 10,784 papers: 30,000 faults, a tenth
    of a daily build's); mapped with MAP_POPULATE where the system has it, the file's pages are
    entered in the page table all at once, and nothing is copied."""
    if os.name == "posix":
        return mmap.mmap(fh.fileno(), 0, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0),
                         prot=mmap.PROT_READ)
    return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def has_kind(folder: Path | None, kind: str) -> bool:
    """Whether ``folder`` holds a file of ``kind`` written by this code (only its first line is
    read): a build decides so how to share work that the kind would spare it."""
    if folder is None:
        return False
    head = cache_header()
    try:
        with open(Path(folder) / f"{kind}.pickle", "rb") as fh:
            return fh.read(len(head)) == head
    except OSError:
        return False


def cache_header() -> bytes:
    """How a cache file begins: :func:`load_cache` reads only files of papersite and of this code."""
    return MARKER + code_version().encode() + b"\n"


def load_blob(folder: Path | None, name: str) -> tuple[str, mmap.mmap, int] | None:
    """A blob file of the cache (:func:`generator.output.write_blob`): its token, its bytes mapped
    read-only, and where its data begin; or None (no folder, no file, other code, damage). Its
    data are read only where they are used: a daily build's unchanged pages never are."""
    if folder is None:
        return None
    head = cache_header()
    try:
        with open(Path(folder) / name, "rb") as fh:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # no file, or an empty one
        return None
    end = data.find(b"\n", len(head))
    if data[:len(head)] != head or end < 0:
        data.close()
        return None
    return data[len(head):end].decode("ascii", "replace"), data, end + 1
