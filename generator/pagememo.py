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
"""
from __future__ import annotations

import copyreg
import hashlib
import io
import pickle
from typing import Any, Callable, Mapping

from markupsafe import Markup

from .output import content_hash
from .parallel import MIN_ITEMS, parallel_map

__all__ = ["KIND", "fingerprint", "render_pages", "utf8_and_hash", "without_memo", "with_memo"]

KIND = "pages"  # the build cache's kind: page path -> (fingerprint, text as UTF-8, its content hash)


class _Pickler(pickle.Pickler):
    """Pickles ``Markup`` as ``Markup(str)``: the same information in a third less time than
    the generic way of pickling a subclass of ``str`` (150,000 links in 11,000 contexts)."""

    dispatch_table = {**copyreg.dispatch_table, Markup: lambda value: (Markup, (str(value),))}


def fingerprint(key: bytes, template: str, context: Mapping[str, Any]) -> bytes:
    """What the text of one page depends on, hashed with the renderer's ``key``.

    The pickle is taken without its memo (``fast``): with it, a string that two places of the
    context share is written once and referred to after, so equal contexts whose objects are
    shared differently (analysis read from the cache, or computed afresh) had different hashes."""
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump((template, context))
    return hashlib.blake2b(buffer.getbuffer(), digest_size=32, key=key).digest()


def utf8_and_hash(text: str) -> tuple[bytes, str]:
    """A page's UTF-8 and its content hash (:func:`generator.output.content_hash`), which the
    writer would otherwise work out again; a text that is not valid Unicode (a lone surrogate)
    is kept all the same, without a hash, and the writer encodes it itself (and refuses it)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass"), ""
    return data, content_hash(data)


def render_pages(plan, render: Callable[..., str], memo: Mapping[str, Any] | None, key: bytes,
                 keys: list | None = None, helpers_from: int = MIN_ITEMS) -> tuple[dict[str, bytes], dict[str, tuple[bytes, bytes, str]], dict[str, tuple[bytes, str]]]:
    """The UTF-8 of each page of ``plan`` (a :class:`generator.site.SitePlan`) by path, of the text
    ``render(template, **context)`` gives (a text that is not valid Unicode, by "surrogatepass");
    the memo for the next build; and each page's UTF-8 and content hash, for
    :func:`generator.output.write_tree`. Pages are kept as UTF-8, not decoded: the command line
    writes the bytes and reads no page's text (see :class:`generator.build.SiteFiles`). A page
    whose fingerprint is the one in ``memo`` (an earlier build's) is neither planned past its
    inputs nor rendered: its text is the memo's. ``keys`` (of ``plan.keys()``, all by default)
    are the pages to make; with a memo, helpers render the changed ones when there are at least
    ``helpers_from`` of them. Without a memo (``None``) every page is
    rendered and no fingerprint is taken.

    On large sites, pages are rendered by this process and forked workers, each taking pieces
    of the pages in turn; each sends back its pages as UTF-8 with their hash (copying 11,000
    contexts to a worker's memory, or texts back, cost more than that; encoding and hashing
    63,000 pages in this process, for the memo and then again for the writer, was a second of
    the whole corpus's build). The memo keeps them so: 50 MB of pages are read and written a few
    times faster as bytes than as ``str``, and an unchanged page needs no hashing again.

    Without a memo, or with an empty one, the workers plan (and fingerprint) the pages they
    render. With an earlier build's, this process plans and
    fingerprints every page first, and the workers render only the pages that changed: an
    unchanged page's data is then never touched by a forked process, where each first touch of
    an object copies its memory page (a daily build at 10,784 papers, where three pages in four
    are unchanged: 0.2 s sooner, four runs each; the map and the feeds are made beside it)."""
    marks = None if memo is None else {path: entry[0] for path, entry in memo.items()
                                       if type(entry) is tuple and len(entry) == 3 and type(entry[0]) is bytes
                                       and type(entry[1]) is bytes and type(entry[2]) is str}

    def planned(item) -> tuple:
        """The page's key, path, template, inputs and (with a memo) fingerprint."""
        path, template, inputs = plan.inputs(item)
        return item, path, template, inputs, None if marks is None else fingerprint(key, template, inputs)

    def rendered(job) -> tuple[str, bytes | None, bytes, str]:
        item, path, template, inputs, mark = job
        return (path, mark, *utf8_and_hash(render(template, **plan.context(item, inputs))))

    keys = plan.keys() if keys is None else keys
    if not marks:  # every page is rendered (a first build): the workers plan and fingerprint theirs
        results = parallel_map(lambda item: rendered(planned(item)), keys, weights=[plan.weight(item) for item in keys])
    else:
        results, jobs = [], []
        for job in map(planned, keys):
            if marks.get(job[1]) == job[4]:
                results.append((job[1], job[4], None, ""))
            else:
                jobs.append(job)
        results += parallel_map(rendered, jobs, weights=[plan.weight(job[0]) for job in jobs], min_items=helpers_from)
    pages: dict[str, bytes] = {}
    kept: dict[str, tuple[bytes, bytes, str]] = {}
    encoded: dict[str, tuple[bytes, str]] = {}
    for path, mark, data, digest in results:
        if data is None:
            kept[path] = (mark, data, digest) = memo[path]
        elif mark is not None:
            kept[path] = (mark, data, digest)
        pages[path] = data
        if digest:
            encoded[path] = (data, digest)
    return pages, kept, encoded


def without_memo(rendered: tuple[dict, dict, dict], memo: Mapping[str, Any]) -> tuple[dict, dict, dict]:
    """What :func:`render_pages` gave, with None for each page the memo held: for a process
    that sends it to one that holds the same memo (:func:`with_memo`), which need not be sent
    the unchanged pages' text."""
    pages, kept, encoded = rendered
    same = {path for path, entry in kept.items() if entry is memo.get(path)}
    return ({path: None if path in same else data for path, data in pages.items()},
            {path: None if path in same else entry for path, entry in kept.items()},
            {path: None if path in same else value for path, value in encoded.items()})


def with_memo(sent: tuple[dict, dict, dict], memo: Mapping[str, Any]) -> tuple[dict, dict, dict]:
    """:func:`without_memo`'s result made whole again from the same ``memo``."""
    pages, kept, encoded = sent
    return ({path: memo[path][1] if data is None else data for path, data in pages.items()},
            {path: memo[path] if entry is None else entry for path, entry in kept.items()},
            {path: memo[path][1:] if value is None else value for path, value in encoded.items()})
