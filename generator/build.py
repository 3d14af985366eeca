"""The pipeline, start to finish: read → collection → analysis → page plan → render.

Both ways in (the CLI and the MkDocs plugin) call :func:`build_site` and get
back the same in-memory site; only the CLI writes it to disk (through
:mod:`generator.output`), the plugin hands it to MkDocs as virtual files.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from . import pagememo
from .analysis import GROWN, KEPT, PATCHED, analyse
from .analysis.features import feature_key, feature_keys
from .analysis.graph import graph_text
from .cache import file_key, has_kind, load_cache
from .collection import collect, duplicate_diagnostics, extend
from .errors import Diagnostic, GeneratorError
from .feeds import feeds_and_entries
from .model import Analysis, Collection
from .output import write_cache
from .pagedeps import page_deps, stale_papers
from .parallel import first_to_ask, in_background, one_thread_per_process, parallel_map
from .readers import digest_files, read_digest
from .settings import Settings, load_settings
from .site import SitePlan, paper_path
from .topicfiles import LOCK_FILE, lock_text, parse_lock, read_curated, suggestion_text

__all__ = ["Site", "SiteFiles", "build_site", "read_collection", "suggest_topics", "without_cycle_collector", "MAP_SCRIPT"]

MAP_SCRIPT = "assets/papersite/map.js"
LOCK_KIND = "lock"  # the build cache's kind: the topic lock's last text's key -> the topics it holds
COLLECTION_KIND = "collection"  # the build cache's kind: the collection, as the next build adds to it (read_collection)
TEMPLATES_KIND = "templates"  # the build cache's kind: the page templates' compiled code (:class:`.render.Renderer`)
FEEDS_KIND = "feeds"  # the build cache's kind: the feeds' entries, by their content (:func:`.feeds.feeds_and_entries`)

# The modules of the steps after reading, with the libraries they load: numpy, SciPy,
# sparse_dot_topn, igraph, Jinja2, feedgen, and on large collections pyarrow (0.35 s with it, a
# quarter of building 1,137 papers). Nothing imports them before the collection is read: this
# process imports them while a forked helper reads the digests (see :func:`_import_later`), and
# the steps that use them import the rest.
LATER = ("generator.analysis.similarity", "generator.analysis.topics", "generator.analysis.layout",
         "generator.render", "sparse_dot_topn", "feedgen.feed")


class SiteFiles(Mapping):
    """Every file's text by path (relative to the docs root), sorted by path. A page's text is
    decoded from its UTF-8 when it is asked for: the command line writes the UTF-8 and asks for
    no page's text. Decoding all of them took 0.09 s of a daily build's last, single-core part
    (50 MB of pages at 10,916 pages, most of them unchanged), and as much memory again."""

    def __init__(self, texts: Mapping[str, str], pages: Mapping[str, bytes]):
        self._texts, self._pages = texts, pages
        self._paths = sorted(texts.keys() | pages.keys())

    def __getitem__(self, path: str) -> str:
        if path in self._texts:
            return self._texts[path]
        return str(self._pages[path], "utf-8", "surrogatepass")  # any str round-trips; bytes or a view of the memo

    def __contains__(self, path: object) -> bool:
        return path in self._texts or path in self._pages

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


@dataclass(frozen=True)
class Site:
    files: Mapping[str, str]  # path relative to the docs root -> text, sorted by path (a SiteFiles)
    collection: Collection
    analysis: Analysis
    diagnostics: tuple[Diagnostic, ...]
    lock: str = ""  # the topic lock to keep in the content folder for the next build
    cache: tuple[str, ...] = ()  # the kinds of cache file the build wrote back (changed ones only)
    # The pages' UTF-8 and content hashes, for output.write_tree (made where they were rendered).
    encoded: Mapping[str, tuple[bytes, str]] = field(default_factory=dict, repr=False, compare=False)
    # What the build made on the way (the caches it read, the plan), freed with the site rather
    # than as each step returned: freeing it piece by piece was 0.04 s of a daily build's
    # single-core parts at 10,784 papers, and the command line ends without freeing anything.
    retained: tuple = field(default=(), repr=False, compare=False)

    def summary(self) -> str:
        from .analysis.similarity import fitted_papers, next_fit

        c, a = self.collection, self.analysis
        latest = c.days[-1] if c.days else None
        new = sum(1 for p in c.papers.values() if p.dates[0] == latest)
        text = (f"{len(c.papers)} papers ({new} new on {latest}) from {len(c.digests)} digests over {len(c.days)} days; "
                f"{len(a.mentions)} mentions, {sum(len(v) for v in a.related.values())} related links, "
                f"{len(a.topics)} topics; {len(self.diagnostics)} warnings")
        if a.ambiguous:
            text += f"; ambiguous names not linked: {', '.join(a.ambiguous)}"
        fitted = int(fitted_papers(c).sum())
        if fitted < len(c.papers):  # a daily build refits everything when the collection reaches the next step
            text += f"; word weights from the first {fitted} papers (until {next_fit(len(c.papers))})"
        return text


def read_collection(content: Path, settings: Settings, *, progress: bool = False,
                    known: Mapping[str, tuple] | Callable[[], Mapping[str, tuple]] | None = None,
                    collected: Mapping[str, Any] | None = None
                    ) -> tuple[Collection, list[Diagnostic], dict | None, dict]:
    """The collection, the messages about its digests, each digest's records by file key, and
    what a later build needs to add digests to this collection (kept as the cache's
    ``collection`` kind).

    ``collected`` is what an earlier build kept so (with each paper's
    :func:`.analysis.features.feature_key`, which both sides of the analysis use): when the
    digests are the ones it was collected from, and maybe more after them, only the new ones
    are read, and their records added to it (:func:`.collection.extend`), the same collection
    as reading all of them gives, and only the new or changed papers' texts are hashed again;
    the records by file key are then None (nothing new for the ``digests`` kind). Otherwise
    every digest is read, or taken from ``known`` (an earlier build's records by file key, or a
    function that loads them when they are needed): an unchanged digest is not read again."""
    folder = content / settings.digests
    files = digest_files(folder)
    if not files:
        raise GeneratorError(f"no digests found in {folder}: add a file such as {folder / '2025-08-05.txt'}")

    def shown(path: Path) -> str:
        try:  # messages name the file as the author would type it
            return path.resolve().relative_to(Path.cwd()).as_posix()
        except ValueError:
            return str(path)

    def read(path: Path):
        return read_digest(path, display=shown(path), year=settings.year)

    def key(path: Path) -> str:
        try:
            data = path.read_bytes()
        except OSError:  # read_digest reports it
            return ""
        return file_key(data, path.name, shown(path), settings.year)

    def read_all(paths: list[Path]) -> list:
        # A day's listing takes about 20 ms to read: from four, a helper pays for its fork (six
        # days, 1,137 papers: 0.12 s of reading became 0.08 s).
        read_now = parallel_map(read, paths, min_items=4, meanwhile=_import_later)
        if progress and len(paths) >= 20:
            from tqdm import tqdm  # only here: importing it was 2 % of building a thousand papers

            read_now = tqdm(read_now, desc="digests", unit="file")
        return list(read_now)

    keys = [key(path) for path in files]
    before = tuple((collected or {}).get("files", ()))
    fresh: dict[Path, tuple] = {}
    if before and all(keys) and tuple(keys[:len(before)]) == before:
        fresh = dict(zip(files[len(before):], read_all(files[len(before):])))
        records = [r for recs, _ in fresh.values() for r in recs]
        added = extend(collected["collection"], collected["index"], records)
        if added is not None:
            collection, index = added
            earlier, hashed = collected["collection"].papers, collected["keys"]
            paper_keys = {pid: hashed[pid] if earlier.get(pid) is paper else feature_key(paper)
                          for pid, paper in collection.papers.items()}
            read_diags = list(collected["diags"]) + [d for _, more in fresh.values() for d in more]
            duplicates = sorted(list(collected["duplicates"]) + duplicate_diagnostics(records),
                                key=lambda d: (d.path, d.line))
            return collection, read_diags + duplicates, None, _kept(keys, read_diags, duplicates, collection, index,
                                                                      paper_keys)
    known = (known() if callable(known) else known) or {}
    missing = [path for path, k in zip(files, keys) if path not in fresh and (not k or k not in known)]
    fresh.update(zip(missing, read_all(missing)))
    records, diags, used = [], [], {}
    for path, k in zip(files, keys):
        recs, more = fresh[path] if path in fresh else known[k]
        if k:
            used[k] = (recs, more)
        records.extend(recs)
        diags.extend(more)
    if not records:
        raise GeneratorError("no readable papers in any digest:\n" + "\n".join(str(d) for d in diags))
    collection, index = collect(records)
    duplicates = duplicate_diagnostics(records)
    return collection, diags + duplicates, used, _kept(keys, diags, duplicates, collection, index,
                                                       feature_keys(collection))


def _kept(files: list[str], diags: list, duplicates: list, collection: Collection, index: dict,
          keys: Mapping[str, str]) -> dict:
    """The cache's ``collection`` kind: what :func:`read_collection` adds the next digests to.
    Files of no key (unreadable) leave nothing to add to."""
    return {"files": tuple(files) if all(files) else (), "diags": tuple(diags), "duplicates": tuple(duplicates),
            "collection": collection, "index": index, "keys": keys}


def _collection_entries(kept: dict) -> dict:
    """:func:`_kept` as the cache holds it: the collection's papers a mapping beside the others,
    so that a daily build writes a patch of the papers (and index entries and text keys) its day
    added or changed, not all of them (:func:`.output.write_cache`'s ``patched``): pickling the
    whole kind was 0.5 s at 10,784 papers."""
    return {"files": kept["files"], "diags": kept["diags"], "duplicates": kept["duplicates"],
            "digests": kept["collection"].digests, "papers": kept["collection"].papers, "index": kept["index"],
            "keys": kept["keys"]}


def _cached_collection(entries: Mapping) -> dict:
    """:func:`_kept` from :func:`_collection_entries` as loaded (a patch adds papers last), or
    nothing if they do not fit."""
    try:
        order, papers, keys = sorted(entries["papers"]), entries["papers"], entries["keys"]
        return {"files": entries["files"], "diags": entries["diags"], "duplicates": entries["duplicates"],
                "collection": Collection(papers={pid: papers[pid] for pid in order}, digests=entries["digests"]),
                "index": entries["index"], "keys": {pid: keys[pid] for pid in order}}
    except (KeyError, TypeError, AttributeError):
        return {}


def _import_later(busy: Callable[[], bool]) -> None:
    """Imports the modules of :data:`LATER` while ``busy()``: :func:`.parallel.parallel_map`
    calls it before this process takes its share, while the helper reads the digests; what is
    left when the helper has taken every piece is left for the step that needs it (a daily
    build, which reads one digest in this process, imports them on the side of the analysis
    that finds the topics). pyarrow comes last: a collection of a few digests, which has too
    few papers to use it (:data:`.analysis.similarity.ARROW_FROM`), is read before its turn."""
    for name in LATER + ("pyarrow.compute",):
        if not busy():
            return
        importlib.import_module(name)


@contextlib.contextmanager
def without_cycle_collector():
    """A build makes millions of small objects that all live until it ends. Python's cycle
    collector would scan them again and again (measured: 15 % of the CPU time of a 10,000-paper
    build) and find nothing to free; reference counting frees them when the build is done.

    While it is off, every new object waits in the youngest generation: the first collection
    after it is back scans all of them that are still alive (1.5 s at 60,000 papers). So the
    command line keeps it off until the site it built is written and freed."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _OnDemand(Mapping):
    """The cache's kinds of an earlier analysis, each loaded when first asked for: the two sides
    of the analysis each load their own, in their own process, rather than this one loading all
    of them before either side starts."""

    def __init__(self, cache: Path | None, kinds: tuple[str, ...]):
        self._cache, self._kinds, self._loaded = cache, kinds, {}

    def __getitem__(self, kind: str) -> Any:
        if kind not in self._kinds:
            raise KeyError(kind)
        if kind not in self._loaded:
            self._loaded[kind] = load_cache(self._cache, kind, patched=kind in PATCHED)
        return self._loaded[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)


def _analysed(content: Path, *, curated: bool, progress: bool = False, cache: Path | None = None,
              pages: Callable[[], Any] | None = None,
              spare: Callable[[Settings, Collection, tuple, Callable[[], bool]], Any] | None = None,
              settle: list | None = None):
    """Settings, collection, diagnostics, analysis, the kinds of cache file written back (the
    changed ones only), and (with ``pages``, for a build)
    the render memo of the cache, the topic lock's text, what ``pages()`` returned, and what
    ``spare(settings, collection, topics, done)`` returned, or None: what building and suggesting
    share; and last, the caches it read (for :attr:`Site.retained`). The lock's text is made,
    the memo loaded and ``pages()`` called in this process, on
    the side of the analysis that finds the topics, as soon as they are found, while the other
    side still finds the names and mentions, which none of it needs; ``spare`` is called there
    too, after them, if the other side is still at work then, to do what it can until ``done()``
    says the other side is done. ``settle`` (a list) gets the
    functions to call before the build ends: they wait for the names side's cache files."""
    settings = load_settings(content)
    collected_entries = load_cache(cache, COLLECTION_KIND, patched=True)
    collected = _cached_collection(collected_entries)
    digests = _OnDemand(cache, ("digests",))  # loaded only if the collection is not added to
    collection, diags, digests_used, collected_now = read_collection(
        content, settings, progress=progress, known=lambda: digests["digests"], collected=collected)
    previous = _OnDemand(cache, KEPT)
    locks = _OnDemand(cache, (LOCK_KIND,))  # read, then compared, by the side that finds the topics

    def changed(kept: dict) -> dict:
        """Only what changed is written again (a kind keyed by content, when its keys did)."""
        return {kind: value for kind, value in kept.items()
                if (value.keys() != previous.get(kind).keys() if kind in GROWN else value != previous.get(kind))}

    def write(entries: dict) -> None:
        write_cache(cache, entries, grown={kind: previous.get(kind) for kind in GROWN if kind in entries},
                    patched={kind: previous.get(kind) for kind in PATCHED if kind in entries})

    done_first = first_to_ask()

    def read_changed(first: bool) -> bool:
        return (cache is not None and first and digests_used is not None
                and digests["digests"].keys() != digests_used.keys())

    def write_read(first: bool) -> tuple[str, ...]:
        """The digests' records, if changed: both sides of the analysis hold them, and the side
        that is done ``first`` writes them, while the other still works."""
        if not read_changed(first):
            return ()
        write_cache(cache, {"digests": digests_used}, grown={"digests": digests["digests"]})
        return ("digests",)

    # The collection as the next build adds to it: written by the names side, after it has handed
    # back its results, beside the pages; a daily build writes a patch of the day's papers.
    collection_changed = (cache is not None and bool(collected_now["files"])
                          and collected_now["files"] != tuple(collected.get("files", ())))

    def write_beside(memos: dict) -> tuple[tuple[str, ...], Callable[[], None]]:
        """The kinds of the name scans' memos that changed, and a function that writes them and
        :func:`write_read`'s: the names side of the analysis hands back its results first, and
        then writes them, while this process goes on (when that side ended last, the other
        waited for its cache files: 0.1 to 0.2 s of a daily build at 10,784 papers). Without a
        cache, only the word that this side is done."""
        first = done_first()
        if cache is None:
            return (), lambda: None
        entries = changed(memos)

        def writing() -> None:
            write(entries)
            write_read(first)
            if collection_changed:
                write_cache(cache, {COLLECTION_KIND: _collection_entries(collected_now)},
                            patched={COLLECTION_KIND: collected_entries})

        return (tuple(entries) + (("digests",) if read_changed(first) else ())
                + ((COLLECTION_KIND,) if collection_changed else ())), writing

    def then(topics, kept: dict) -> tuple[tuple[str, ...], str, Any, Any, Any]:
        """The papers' words, text vectors and related lists written back (if changed), the topic
        lock's text, the render memo, what ``pages()`` returned, and, if this side is done first,
        what ``spare`` returned; and :func:`write_read`."""
        entries = changed(kept) if cache is not None else {}
        if entries:
            write(entries)
        lock, memo, ready = "", None, None
        if pages is not None:
            lock = lock_text(topics.lock)
            if cache is not None:
                # The lock as it will be read back: the next build finds it here by its text.
                read_back = {file_key(lock.encode("utf-8")): topics.lock}
                if read_back != locks[LOCK_KIND]:
                    write_cache(cache, {LOCK_KIND: read_back})
                    entries[LOCK_KIND] = read_back
            memo = pagememo.load_memo(cache) if cache is not None else None
            ready = pages()
        # Work for a side that is done first, made piece by piece while the names side still works:
        # the pages wait for both sides (when this side took all the feeds it had kept the pages
        # waiting up to 0.17 s of a daily build, the names side being done meanwhile).
        extra = spare(settings, collection, topics.topics, done_first.asked) \
            if spare is not None and not done_first.asked() else None
        first = done_first()
        return tuple(entries) + write_read(first), lock, memo, ready, extra

    analysis, _, written, (topics_written, lock, memo, ready, extra) = analyse(
        collection, related_k=settings.related, seed=settings.seed,
        curated=read_curated(content) if curated else (), locked=functools.partial(_locked, content, lambda key: locks[LOCK_KIND].get(key)),
        previous=previous, beside=write_beside, then=then, settle=settle, keys=collected_now["keys"],
        shared=_shared(cache, collection))
    return (settings, collection, diags, analysis, (written or ()) + topics_written, memo, lock, ready, extra,
            (digests, digests_used, collected, collected_now, previous, locks))


# Papers whose words the names side of any first build works out for the other side (at about
# 80 microseconds a paper, a tenth of a second): see :func:`_shared`.
SHARED = 1_250


def _shared(cache: Path | None, collection: Collection) -> tuple[str, ...]:
    """The papers whose words (:func:`.analysis.features.paper_terms`) the names side works out
    for the other side, in a build whose cache holds no words of this code (a first build, or the
    first after an upgrade); none otherwise (a daily build works out only its day's papers' words,
    and its names side is the longer one). Either way the words are the same.

    The side of the text vectors is the longer one in a first build, and grows faster than the
    names side: its related papers' product grows with how many papers share a word. Each
    working out its own papers' words, the two sides of a first build ended 8 s apart at 62,711
    papers (35.5 against 27.0 s, the names side's cache files written by 30.7 s), where the last
    third of the papers' words, worked out on the names side, evened them out (29.7 and 29.2 s).
    A small collection's first build still waited on that side for a tenth of a second (1,137
    papers, traced: the names side done at 0.48 s, the other at 0.575 s): the names side takes
    :data:`SHARED` papers' words too, and a third of a collection at most. First builds of
    1,137 papers, taking turns: 0.74 to 0.80 s (median 0.76) against 0.78 to 0.81 s (median
    0.79) with none, eight each; of 10,440 papers, inside the noise (medians 5.20 and 5.15 s,
    six each)."""
    if has_kind(cache, "terms"):
        return ()
    pids = list(collection.papers)
    n = len(pids)
    count = min(n // 3, SHARED + int(n * max(0.0, (n - 10_000) / 150_000)))
    return tuple(pids[n - count:]) if count else ()


def _locked(content: Path, known: Callable[[str], Any]) -> tuple:
    """The topic lock in ``content``: what the build that wrote it had (``known(key)``, by the
    key of the file's text), when the file holds the text that build left in the cache (a daily
    build; parsing the YAML of 10,440 papers' lock took 0.1 s), else the file read
    (:func:`.topicfiles.read_lock`). A lock reads back as the
    topics it was written from (the property tests check it), so either way it is the same."""
    try:
        data = (content / LOCK_FILE).read_bytes()
    except OSError:
        return ()
    return known(file_key(data)) or parse_lock(data)


def build_site(content: Path, *, templates: Path | None = None, site_name: str | None = None,
               site_url: str | None = None, progress: bool = False, cache: Path | None = None,
               directory_urls: bool = True, later: list | None = None) -> Site:
    """Build the whole site in memory from the digests in ``content``.

    ``site_name`` and ``site_url`` override the settings (the MkDocs plugin passes mkdocs.yml's).
    With a ``cache`` folder, earlier builds' work is reused, and what changed is written back
    there (``Site.cache`` names the kinds written): during the build, beside the pages, and
    pickled straight into the files, so that the caches' gigabyte of pickle at 60,000 papers is
    never in memory at once.
    ``directory_urls`` is MkDocs' ``use_directory_urls``: the pages' raw-HTML links are final URLs.
    The numerical libraries the build loads start no threads of their own
    (:func:`.parallel.one_thread_per_process`).

    With ``later`` (a list), the last cache files (the pages' memo, the names side's) may still be
    being written when the site is returned: ``later`` gets the functions that wait for them, for
    the caller to call once it has written the site (the command line's output is written
    meanwhile: at 10,440 papers, writing the pages' memo was 0.18 s of a first build's last,
    single-core part, on the other core now). Without it, they are written before it returns.
    """
    with one_thread_per_process(), without_cycle_collector():
        return _build_site(Path(content), templates=templates, site_name=site_name, site_url=site_url,
                           progress=progress, cache=cache, directory_urls=directory_urls, later=later)


def _build_site(content: Path, *, templates: Path | None, site_name: str | None, site_url: str | None,
                progress: bool, cache: Path | None, directory_urls: bool, later: list | None) -> Site:
    compiled_kept: list[str] = []  # the templates' code, when written to the cache

    def ready() -> tuple[Any, bytes]:
        """The renderer, with the page templates compiled, and its sources' key: made on the
        side of the analysis that finds the topics, in this process, while the other side
        still finds the names, and before the pages' helper is forked, which then compiles no
        template of its own. (In a daily build the pages had started 0.1 s after the analysis
        ended; 0.06 s now.)"""
        from .render import Renderer

        known = load_cache(cache, TEMPLATES_KIND) if cache is not None else None
        renderer = Renderer(templates, compiled=known)
        renderer.preload()
        compiled = renderer.compiled()
        if compiled is not None and compiled != known:
            write_cache(cache, {TEMPLATES_KIND: compiled})
            compiled_kept.append(TEMPLATES_KIND)
        return renderer, renderer.sources_key()

    @functools.cache
    def known_entries() -> Mapping[str, str]:
        """The feeds' entries of the last build (loaded by the first process that makes feeds: a
        helper forked after it has them too)."""
        return load_cache(cache, FEEDS_KIND) if cache is not None else {}

    entries_made: list[dict[str, str]] = []  # the entries of the feeds made in this process

    def feed_files(settings: Settings, collection: Collection, topics: tuple, until: Callable[[], bool] | None = None,
                   skip: Mapping[str, Any] | None = None) -> dict[str, tuple[bytes, str]]:
        """The feeds, as UTF-8 with their hashes. They need the topics only: made on the side of
        the analysis that finds them, one by one until the names side is done (``until``), and
        the rest (all but ``skip``) beside the pages, where they took a third of the time and
        competed with the pages for the cores (a first build of 10,440 papers, when its topics side
        was done first: 6.87 to 6.62 s on average, five runs each). The entries the last build
        made are not made again (a day added to 10,440 papers, traced: 0.07 to 0.12 s of feeds
        against 0.20 s; 0.043 s in the process with every entry known); those they hold are kept
        in ``entries_made``."""
        made, entries = feeds_and_entries(
            collection, topics, site_name=site_name or settings.site_name,
            site_url=settings.site_url if site_url is None else site_url, directory_urls=directory_urls,
            until=until, skip=skip or {}, known=known_entries())
        entries_made.append(entries)
        return {path: pagememo.utf8_and_hash(text) for path, text in made.items()}

    settle: list = []
    settings, collection, diags, analysis, written, memo, lock, (renderer, sources), early, read = _analysed(
        Path(content), curated=True, progress=progress, cache=cache, pages=ready, spare=feed_files, settle=settle)
    from .analysis.layout import layout
    from .render import theme_file

    plan = SitePlan(collection, analysis, directory_urls=directory_urls, seed=settings.seed)

    def graph_and_feeds() -> tuple[dict[str, tuple[bytes, str]], dict[str, str], bool]:
        """The map's data and the feeds not made already, as UTF-8 with their hashes, the feeds'
        entries, and whether they are the last build's (so that the process that writes the
        cache need not read the last build's entries to tell). Encoded and hashed where they are
        made, the 16 MB of them are not decoded by the process that writes them, nor encoded and
        hashed again there (0.05 s of a daily build's last, single-core part at 10,784 papers)."""
        data = graph_text(collection, analysis, layout(collection, analysis, seed=settings.seed),
                          directory_urls=directory_urls)
        files = {"graph.json": pagememo.utf8_and_hash(data)} | feed_files(settings, collection, analysis.topics,
                                                                          skip=early)
        return files, entries_made[-1], entries_made[-1].keys() == known_entries().keys()

    deps, settled = _page_changes(collection, analysis, memo, read, (sources, directory_urls))
    # The map's layout and the pages do not depend on each other: on large collections a helper
    # makes the map, then helps with the pages (:func:`.pagememo.render_pages`).
    (made, entries, unchanged), (pages_utf8, kept, encoded) = pagememo.render_pages(
        plan, renderer.render, memo, sources, beside=graph_and_feeds, size=len(collection.papers), settled=settled)
    memo_kept: tuple[str, ...] = ()
    waits = settle
    if early:  # the feeds the topics side made while the names side worked (it read the last entries)
        entries = {**entries_made[0], **entries}
        unchanged = entries.keys() == known_entries().keys()
    if cache is not None and not unchanged:
        # The entries held now (those no longer held stay until a quarter of them are: see
        # :func:`.output.write_cache`), written beside the site.
        memo_kept += (FEEDS_KIND,)

        def save_entries() -> None:
            write_cache(cache, {FEEDS_KIND: entries}, grown={FEEDS_KIND: known_entries()})

        if later is None:
            save_entries()
        else:
            waits = [in_background(save_entries)] + waits
    if memo is not None and pagememo.memo_changed(kept, memo, deps):
        memo_kept += (pagememo.KIND,)
        save = functools.partial(pagememo.save_memo, cache, kept, memo, deps)
        if later is None:
            save()
        else:
            waits = [in_background(save)] + waits
    for path, (utf8, digest) in (made | (early or {})).items():
        pages_utf8[path] = utf8
        if digest:  # a text that is not valid Unicode has none: the writer refuses it
            encoded[path] = (utf8, digest)
    if later is None:
        for wait in waits:  # the names side's cache files are written
            wait()
    else:
        later.extend(waits)
    texts = {MAP_SCRIPT: theme_file(templates, "map.js").read_text(encoding="utf-8")}
    return Site(SiteFiles(texts, pages_utf8), collection, analysis, tuple(diags), lock,
                tuple(sorted(written + memo_kept + tuple(compiled_kept))), encoded, retained=(read, plan, memo, kept))


def _page_changes(collection: Collection, analysis: Analysis, memo: pagememo.Memo | None, read: tuple,
                  rendering: tuple) -> tuple[dict | None, Callable[[tuple], str | None] | None]:
    """What the paper pages are made from, to keep with the render memo
    (:func:`.pagedeps.page_deps`), and which pages are the memo's without a look at them (a
    function of a page's key, for :func:`.pagememo.render_pages`), or None: in a build that
    added digests to the collection the last build kept, a paper's page is the memo's unless the
    paper changed, or what its page shows of the analysis did (:func:`.pagedeps.stale_papers`).
    ``rendering`` is what else the pages' text depends on: the renderer's key, the URL style."""
    if memo is None:
        return None, None
    _, digests_used, collected, collected_now, *_ = read
    deps = page_deps(analysis, basis=(collected_now["files"], *rendering))
    if digests_used is not None or not collected.get("files"):  # digests read afresh: every paper is new
        return deps, None
    earlier = collected["collection"].papers
    changed = {pid for pid, paper in collection.papers.items() if earlier.get(pid) is not paper}
    stale = stale_papers(memo.deps, deps, changed, collection.papers, basis=(tuple(collected["files"]), *rendering))
    if stale is None:
        return deps, None
    return deps, lambda key: paper_path(key[1]) if key[0] == "paper" and key[1] not in stale else None


def suggest_topics(content: Path) -> str:
    """A proposed ``topics.yml``: the topics papersite discovers on its own, for a person to edit."""
    settle: list = []
    with one_thread_per_process(), without_cycle_collector():
        analysis = _analysed(Path(content), curated=False, settle=settle)[3]
        for wait in settle:
            wait()
    return suggestion_text(analysis.topics)
