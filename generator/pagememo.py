"""Pages whose text cannot have changed since the last build are not rendered again.

A day added to a collection of 10,000 papers changes about a quarter of the pages (the new
papers, the day, and the pages that link to them); rendering all 11,000 again was the largest
part of the pages' time. A page's text is a function of its template's name, its context, and
what the renderer reads beside them (:meth:`generator.render.Renderer.sources_key`: the
template folder, the libraries; the generator's own code keys the whole cache). The memo keeps,
for each page, a hash of all of that and the text it gave, and gives the text back only when the
hash is the same.

The hash is of the pickle of what the page is made from (:meth:`generator.site.SitePlan.inputs`):
for a paper's page, the few values it shows (:class:`generator.site.PaperInputs`), whose
context is a function of them alone, so that an unchanged paper page is not even planned
(planning was half of a daily build's page time); for the other pages, the context itself.
Either pickle spells out every value a template can reach: the plain values, ``Markup`` (kept
apart from ``str``, which the renderer escapes), dates, and the frozen dataclasses of
:mod:`generator.model` (pickled with all their fields). A pickle that is not the same in
another process (a set of strings, ordered by PYTHONHASHSEED) only misses the memo; it cannot
hit it wrongly. The tests check that the inputs and contexts hold nothing else and that their
hashes agree across processes.

The pages' text is kept in a blob file of the cache (:func:`generator.output.write_blob`), which a
build maps and reads only where it needs a page (the command line, which leaves unchanged files
alone, never does): a daily build adds the pages it rendered to it, and writes an index of a
megabyte and a half. Pickled with the index, the 52 MB of pages at 10,784 papers were read
into memory and written out again whole by every build (0.035 and 0.045 s of a daily build,
the second on its last, single-core part).
"""
from __future__ import annotations

import copyreg
import hashlib
import io
import pickle
from typing import Any, Callable, Mapping

from markupsafe import Markup

from .cache import load_blob, load_cache
from .output import content_hash, write_blob, write_cache
from .parallel import map_beside

__all__ = ["KIND", "BLOB", "Memo", "load_memo", "memo_changed", "save_memo", "fingerprint", "render_pages", "utf8_and_hash"]

KIND = "pages"  # the build cache's kind: page path -> (fingerprint, where in the blob, its size, content hash)
BLOB = "pages.blob"  # the pages' UTF-8, one after another
_TOKEN = "\0blob"  # the index's entry that names the blob it points into
_DEPS = "\0deps"  # the index's entry that holds what the paper pages were made from (:mod:`.pagedeps`)


class Memo(dict):
    """An earlier build's pages: path -> (fingerprint, UTF-8 (a view of the blob), content hash,
    (where in the blob, size)); the blob's token and size, for :func:`save_memo`; and the
    :func:`generator.pagedeps.page_deps` record of the build that wrote it, or None."""

    def __init__(self, entries=(), *, token: str | None = None, size: int = 0, deps: Any = None):
        super().__init__(entries)
        self.token, self.size, self.deps = token, size, deps


def load_memo(cache) -> Memo:
    """The memo of the last build that wrote one in ``cache``, or an empty one. An index entry of
    another shape, or one that points outside the blob, is left out (its page is rendered). Where
    a page lies in the blob is taken at the index's word: only papersite writes either, the
    blob first and on the disk, and an index names the blob it was written for."""
    index = load_cache(cache, KIND)
    stored = load_blob(cache, BLOB)
    if stored is None or not index or index.get(_TOKEN) != stored[0]:
        return Memo()
    token, data, start = stored
    view = memoryview(data)
    memo = Memo(token=token, size=len(data), deps=index.get(_DEPS))
    for path, entry in index.items():
        if (type(entry) is tuple and len(entry) == 4 and type(entry[0]) is bytes and type(entry[1]) is int
                and type(entry[2]) is int and type(entry[3]) is str and start <= entry[1]
                and 0 <= entry[2] and entry[1] + entry[2] <= len(data)):
            mark, at, size, digest = entry
            memo[path] = (mark, view[at:at + size], digest, (at, size))
    return memo


def memo_changed(kept: Mapping[str, tuple], memo: Memo, deps: Any = None) -> bool:
    """Whether ``kept`` (:func:`render_pages`' memo) and ``deps`` are not ``memo``'s, the one it
    started from."""
    return not (kept.keys() == memo.keys() and all(entry is memo[path] for path, entry in kept.items())
                and deps == memo.deps)


def save_memo(cache, kept: Mapping[str, tuple], memo: Memo, deps: Any = None) -> bool:
    """Writes ``kept`` (:func:`render_pages`' memo) and ``deps`` (the pages'
    :func:`generator.pagedeps.page_deps`) to ``cache`` unless they are ``memo``'s: the pages
    rendered anew are added to the blob, or, when more than half of it would be pages no longer
    used, a new blob holds only the pages kept. Whether anything was written."""
    if not memo_changed(kept, memo, deps):
        return False
    fresh = [path for path, entry in kept.items() if entry[3] is None]
    added = sum(len(kept[path][1]) for path in fresh)
    live = added + sum(entry[3][1] for entry in kept.values() if entry[3] is not None)
    paths, written = fresh, None
    if memo.token is not None and (memo.size + added) - live <= live:
        written = write_blob(cache, BLOB, [kept[path][1] for path in fresh], token=memo.token)
    if written is None:  # more than half unused, no blob, or another build replaced it meanwhile
        paths = list(kept)
        written = write_blob(cache, BLOB, [kept[path][1] for path in paths])
        if written is None:
            return False
    token, starts = written
    where = {path: (at, len(kept[path][1])) for path, at in zip(paths, starts)}
    index: dict[str, Any] = {path: (entry[0], *(where.get(path) or entry[3]), entry[2]) for path, entry in kept.items()}
    index[_TOKEN] = token
    if deps is not None:
        index[_DEPS] = deps
    write_cache(cache, {KIND: index})
    return True


class _Pickler(pickle.Pickler):
    """Pickles ``Markup`` as ``Markup(str)``: the same information in a third less time than
    the generic way of pickling a subclass of ``str`` (150,000 links in 11,000 contexts)."""

    dispatch_table = {**copyreg.dispatch_table, Markup: lambda value: (Markup, (str(value),))}


def fingerprint(key: bytes, template: str, context: Mapping[str, Any]) -> bytes:
    """What the text of one page depends on, hashed with the renderer's ``key``.

    The pickle is taken without its memo (``fast``): with it, a string that two places of the
    context share is written once and referred to after, so equal contexts whose objects are
    shared differently (analysis read from the cache, or computed afresh) had different hashes."""
    return _Fingerprints(key)(template, context)


class _Fingerprints:
    """:func:`fingerprint` with ``key``, by one pickler and buffer for all the pages a process
    takes: a new pickler and buffer for each page were up to a sixth of its fingerprint (a paper's
    page of 10,440: 19.6 to 23.0 against 17.7 to 23.1 microseconds). Without a memo, a pickler
    keeps nothing from one page to the next: the bytes are those of a new one."""

    def __init__(self, key: bytes):
        self.key, self.buffer = key, io.BytesIO()
        self.pickler = _Pickler(self.buffer, protocol=5)
        self.pickler.fast = True

    def __call__(self, template: str, context: Mapping[str, Any]) -> bytes:
        buffer = self.buffer
        buffer.seek(0)
        buffer.truncate()
        self.pickler.dump((template, context))
        with buffer.getbuffer() as view:
            return hashlib.blake2b(view, digest_size=32, key=self.key).digest()


def utf8_and_hash(text: str) -> tuple[bytes, str]:
    """A page's UTF-8 and its content hash (:func:`generator.output.content_hash`), which the
    writer would otherwise work out again; a text that is not valid Unicode (a lone surrogate)
    is kept all the same, without a hash, and the writer encodes it itself (and refuses it)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass"), ""
    return data, content_hash(data)


def render_pages(plan, render: Callable[..., str], memo: Mapping[str, tuple] | None, key: bytes, *,
                 beside: Callable[[], Any] = lambda: None, size: int | None = None,
                 settled: Callable[[tuple], str | None] | None = None
                 ) -> tuple[Any, tuple[dict[str, bytes], dict[str, tuple], dict[str, tuple[bytes, str]]]]:
    """What ``beside()`` returned, and: the UTF-8 of each page of ``plan`` (a
    :class:`generator.site.SitePlan`) by path, of the text ``render(template, **context)`` gives
    (a text that is not valid Unicode, by "surrogatepass"); the memo for the next build (entries
    as :class:`Memo`'s, where a page rendered now is not in the blob yet: None); and each page's
    UTF-8 and content hash, for :func:`generator.output.write_tree`. Pages are kept as UTF-8, not
    decoded: the command line writes the bytes and reads no page's text (see
    :class:`generator.build.SiteFiles`). A page whose fingerprint is the one in ``memo`` (an
    earlier build's, :func:`load_memo`) is neither planned past its inputs nor rendered: its text
    is the memo's, a view of the blob. Without a memo (``None``) no fingerprint is taken.

    On large sites (``size`` items of work, by default the pages' count), ``beside()`` runs in a
    forked helper, which then takes pieces of the pages as this process does from the start
    (:func:`generator.parallel.map_beside`): each process plans, fingerprints and, where
    changed, renders its pieces, and sends back the pages it rendered as UTF-8 with their hash
    (copying 11,000 contexts to a helper's memory, or texts back, cost more than that; encoding
    and hashing 63,000 pages in this process, for the memo and then again for the writer, was a
    second of the whole corpus's build), and for an unchanged page only its fingerprint. The
    memo keeps pages so, with their hash: an unchanged page needs no encoding or hashing again.

    ``settled(key)`` gives the path of a page known to be the memo's without a look at its inputs
    (:func:`generator.pagedeps.stale_papers`), or None: such a page that the memo holds is taken
    from it as it is, with its fingerprint."""
    marks = None if memo is None else {path: entry[0] for path, entry in memo.items()}
    fingerprints = _Fingerprints(key)  # each forked helper uses its own copy

    def made(item) -> tuple[str, bytes | None, bytes | None, str]:
        """The page's path, fingerprint, and UTF-8 and hash, or None and "" when the memo has it."""
        path, template, inputs = plan.inputs(item)
        mark = None if marks is None else fingerprints(template, inputs)
        if mark is not None and marks.get(path) == mark:
            return path, mark, None, ""
        return (path, mark, *utf8_and_hash(render(template, **plan.context(item, inputs))))

    keys = plan.keys()
    pages: dict[str, bytes] = {}
    kept: dict[str, tuple] = {}  # path -> (fingerprint, UTF-8, content hash, where in the blob or None)
    encoded: dict[str, tuple[bytes, str]] = {}
    if settled is not None and memo:
        looked = []
        for item in keys:
            path = settled(item)
            if path is not None and path in memo:
                kept[path] = (_, data, digest, _) = memo[path]
                pages[path] = data
                if digest:
                    encoded[path] = (data, digest)
            else:
                looked.append(item)
        keys = looked
    value, results = map_beside(beside, made, keys, size=size, weights=[plan.weight(item) for item in keys])
    for path, mark, data, digest in results:
        if data is None:
            kept[path] = (mark, data, digest, _) = memo[path]
        elif mark is not None:
            kept[path] = (mark, data, digest, None)
        pages[path] = data
        if digest:
            encoded[path] = (data, digest)
    return value, (pages, kept, encoded)
