"""The only module that writes files.

Promises to the author:

- a file the generator did not create is never overwritten or deleted: the
  manifest of the previous build says what it created, and only those files
  are ever replaced or removed;
- a build killed halfway leaves the previous output intact: every changed file
  is first written under a temporary name beside its target, and only when all
  of them are on disk are they renamed into place (renames are atomic, and the
  rename phase does no other work);
- an unchanged file is not rewritten, so its timestamp stays put.

A daily build writes about a quarter of 11,000 pages; reading the other 8,000 back to see that
they are unchanged cost more than writing them. So the manifest also records the size and a hash
of each file papersite wrote (or found to hold its text), and a file nobody touched since the
manifest was written is taken at its word: unchanged if the new text has the same hash, replaced
without reading if not. "Nobody touched it" is the file's change time (``st_ctime``), which
every write, rename, copy or ``touch`` moves to the present and no tool can set back, being older
than the manifest's own time. Anything else (no record, a record of older code, a file of another
size, a link where the file was, a change in the manifest's own clock tick, or a system whose
``st_ctime`` is not the change time) is compared byte for byte, as always. The records hold no
times, so the manifest of a build is the same bytes wherever and whenever it is made.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import BinaryIO, Callable, Mapping

from .cache import MARKER, SEGMENTS, cache_header, cache_segments
from .errors import GeneratorError

__all__ = ["write_tree", "write_own_file", "write_cache", "write_blob", "add_file", "content_hash", "WriteReport",
           "MANIFEST"]

MANIFEST = ".papersite-manifest.json"
_TMP = ".papersite-tmp-"
# In the output while a build's temporary files may be there: a build that finds it was killed
# while writing, and only then looks through the whole output for what it left (at 10,000
# pages, walking the output was a fifth of writing a day's changes; the marker is a temporary
# file itself, cleaned with the rest).
_WRITING = _TMP + "writing"
_ABSENT = object()  # a cache entry that was not there before
# POSIX's st_ctime is the time of a file's last change (content, name, mode); Windows' is when it was made.
_CHANGE_TIMES = os.name == "posix"


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def _read_manifest(out: Path) -> tuple[set[str], dict[str, tuple[int, str]], int]:
    """The files the previous build made, the ``(size, content hash)`` it recorded for them, and
    when it wrote the manifest: a file changed last before then is as recorded (nanoseconds; 0
    where change times cannot vouch for a file)."""
    try:
        with open(out / MANIFEST, "rb") as fh:
            written = os.fstat(fh.fileno()).st_mtime_ns
            data = json.loads(fh.read().decode("utf-8"))
        files = {p for p in data.get("files", []) if isinstance(p, str)}
    except (OSError, ValueError, AttributeError):
        return set(), {}, 0
    records = {}
    raw = data.get("records")
    for rel, record in (raw.items() if isinstance(raw, dict) else ()):
        try:
            size, mark = record.split(" ")
            records[rel] = (int(size), mark)
        except (AttributeError, ValueError):
            continue
    return files, records, written if _CHANGE_TIMES else 0


def _parts(rel: str) -> list[str]:
    """The parts of a relative POSIX path, as ``PurePosixPath(rel).parts`` gives them for one
    (empty parts and ``.`` dropped): checking 11,000 paths with pathlib took a tenth of a second."""
    return [part for part in rel.split("/") if part and part != "."]


def content_hash(data: bytes) -> str:
    """What the manifest records of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def _same_bytes(path: str, data: bytes) -> bool:
    """Whether the file holds exactly ``data`` (a different size needs no reading)."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read() == data
    except OSError:
        return False


def _write_temp(path: Path, data: bytes | Callable[[BinaryIO], object], *, sync: bool = True) -> Path:
    """``data`` (or what ``data(file)`` writes) under a temporary name beside ``path``, its folder
    made if need be; on disk before returning unless ``sync`` is off."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(_stage(str(path), data, sync=sync))


def _stage(path: str, data: bytes | Callable[[BinaryIO], object], *, sync: bool = False) -> str:
    """``data`` (or what ``data(file)`` writes) under a temporary name beside ``path``, whose
    folder exists. Not synced by default: a tree of files is flushed once, with :func:`_flush`,
    instead of one fsync per file. (Paths as strings: pathlib's objects were a fifth of writing
    63,000 files.)"""
    head, name = os.path.split(path)
    tmp = os.path.join(head, _TMP + name)
    try:
        if not callable(data) and not sync:
            # Bytes, by the system calls themselves: an ``open()`` file object and its buffer for
            # each of 63,000 pages were a fifth of writing them.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            return tmp
        with open(tmp, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        return tmp
    except BaseException:  # a file half written (no room, interrupted) is not left behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _flush() -> None:
    """Everything written so far onto the disk: one call for thousands of files (an fsync per
    file cost 3.7 s for 4,300 pages)."""
    if hasattr(os, "sync"):
        os.sync()


def _mark_writing(out: Path) -> None:
    """Leaves :data:`_WRITING` in ``out``, on the disk (the file and its folder synced) before
    any temporary file is made. Made anew, never through a link of that name: something else
    there (a link, left since a killed build's cleaning removes files only) is ours by name, like
    every temporary file, and is removed first."""
    path = os.path.join(out, _WRITING)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        os.unlink(path)
        fd = os.open(path, flags, 0o666)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if hasattr(os, "O_DIRECTORY"):
        try:
            folder = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return
        try:
            os.fsync(folder)
        except OSError:  # a folder some systems cannot sync
            pass
        finally:
            os.close(folder)


def _unmark_writing(out: Path) -> None:
    try:
        os.unlink(os.path.join(out, _WRITING))
    except OSError:  # removed meanwhile: the next build only walks the output for nothing
        pass


def _clean_temps(out: Path) -> None:
    """Temporary files a killed build left behind: ours by name, never anything else. Folders
    that are links are not followed: what they lead to is not the output's."""
    for folder, _, names in os.walk(out):
        for name in names:
            if name.startswith(_TMP):
                path = os.path.join(folder, name)
                if os.path.isfile(path):
                    os.unlink(path)


def write_tree(out: Path, files: Mapping[str, str], *,
               encoded: Mapping[str, tuple[bytes, str]] | None = None) -> WriteReport:
    """Write ``files`` (relative path -> text) under ``out``; remove only what we made before.
    ``encoded`` may give, for some of the files, their text's UTF-8 and its :func:`content_hash`
    (worked out where the pages were rendered: :func:`generator.pagememo.render_pages`)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(os.path.join(out, _WRITING)):  # the last build was killed while it wrote
        _clean_temps(out)
    previous, records, vouched = _read_manifest(out)
    root = out.resolve()
    folders: dict[str, str] = {}
    for rel in files:
        if rel and "//" not in rel and "/." not in rel and rel[0] not in "./" and rel[-1] != "/":
            # Nothing to drop or to refuse: no empty part, none that starts with a dot (".", "..",
            # the manifest, a temporary name). Most paths, in a third of the time of the check.
            folders.setdefault(rel.rpartition("/")[0], rel)
            continue
        parts = _parts(rel)
        if (not parts or rel.startswith("/") or rel.endswith("/") or ".." in parts or parts[-1].startswith(_TMP)
                or "/".join(parts) == MANIFEST):
            raise GeneratorError(f"refusing to write outside {out} or over its bookkeeping: {rel}")
        folders.setdefault("/".join(parts[:-1]), rel)
    # A folder may be a link that leads elsewhere: each folder is resolved once (a file that is a
    # link is replaced by the rename, not followed).
    for folder, rel in folders.items():
        where = (out / folder).resolve()
        if where != root and root not in where.parents:
            raise GeneratorError(f"refusing to write outside {out} or over its bookkeeping: {rel}")
    encoded = encoded or {}
    data: dict[str, bytes] = {}
    marks: dict[str, str] = {}
    for rel in files:  # a text is asked for only where its UTF-8 is not given
        if rel in encoded:
            data[rel], marks[rel] = encoded[rel]
        else:
            data[rel] = value = files[rel].encode("utf-8")
            marks[rel] = content_hash(value)
    kept: dict[str, tuple[int, str]] = {}  # the records of the new manifest
    same, foreign = set(), []
    base = os.path.join(str(out), "")  # with its separator: joined by "+", 11,000 paths in a third of the time
    where = {rel: base + rel for rel in files}
    for rel in files:
        try:
            st = os.lstat(where[rel])
        except OSError:
            st = None
        record = records.get(rel) if rel in previous else None
        # Untouched since the manifest vouched for it (a change time before the modification time
        # is a file system that does not keep change times).
        if (record is not None and st is not None and stat.S_ISREG(st.st_mode) and st.st_size == record[0]
                and st.st_mtime_ns <= st.st_ctime_ns < vouched):
            if record[1] == marks[rel]:
                same.add(rel)
                kept[rel] = record
            continue  # ours, and to be replaced: no need to read it
        path = where[rel]
        if st is None or (stat.S_ISLNK(st.st_mode) and not os.path.exists(path)):
            continue
        if not _same_bytes(path, data[rel]):
            if rel not in previous:
                foreign.append(rel)
            continue
        same.add(rel)
        if rel in previous:
            kept[rel] = (len(data[rel]), marks[rel])
    if foreign:
        foreign.sort()
        raise GeneratorError(f"{out} holds files that papersite did not create: "
                             f"{', '.join(foreign[:5])}{' …' if len(foreign) > 5 else ''}; "
                             "choose an empty --out folder")
    unchanged = [rel for rel in files if rel in same]
    changed = [rel for rel in files if rel not in same]

    # Phase 1: everything that changes goes to disk under temporary names. (Paths as strings,
    # each folder made once: pathlib's objects and a mkdir per file were 40 % of writing 63,000.)
    staged: list[tuple[str, str]] = []
    _mark_writing(out)  # before any temporary file, the manifest's included
    try:
        for folder in sorted({os.path.dirname(where[rel]) for rel in changed}):
            os.makedirs(folder, exist_ok=True)
        for rel in changed:
            staged.append((_stage(where[rel], data[rel]), where[rel]))
            kept[rel] = (len(data[rel]), marks[rel])
        if staged:
            _flush()
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        _unmark_writing(out)  # none of its temporary files is left
        raise
    # Phase 2: publish by renames only.
    for tmp, path in staged:
        os.replace(tmp, path)

    removed = []
    for rel in sorted(previous - set(files)):
        path = out / rel
        if path.is_file() and root in path.resolve().parents:
            path.unlink()
            removed.append(rel)
            parent = path.parent
            while parent != out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    # Identical files that were already there and not ours stay not ours.
    written = set(changed)
    ours = sorted(rel for rel in files if rel in previous or rel in written)
    # "files" is what older code reads; a record is "size hash", one line each.
    manifest = _manifest_text(ours, {rel: "%d %s" % kept[rel] for rel in ours if rel in kept})
    os.replace(_write_temp(out / MANIFEST, manifest.encode("utf-8")), out / MANIFEST)
    _unmark_writing(out)
    return WriteReport(tuple(changed), tuple(unchanged), tuple(removed))


def _manifest_text(files: list[str], records: dict[str, str]) -> str:
    """``json.dumps({"generator": "papersite", "files": files, "records": records}, indent=1)``
    and a newline, the same text in half the time: with an indent, ``json`` encodes in Python,
    not in its compiled encoder (0.03 s at 11,000 files, on the last, single-core part of a
    daily build); each string here goes through the compiled string encoder it uses."""
    string = encode_basestring_ascii
    listed = ",\n".join("  " + string(rel) for rel in files)
    recorded = ",\n".join(f"  {string(rel)}: {string(record)}" for rel, record in records.items())
    return ('{\n "generator": "papersite",\n "files": ' + (f"[\n{listed}\n ]" if files else "[]")
            + ',\n "records": ' + (f"{{\n{recorded}\n }}" if records else "{}") + "\n}\n")


def write_own_file(path: Path, text: str, *, marker: str) -> bool:
    """Write a bookkeeping file papersite owns (it starts with ``marker``), atomically.

    Returns whether it changed. A file at ``path`` that does not start with the marker is the
    author's, and is left alone with an error.
    """
    path = Path(path)
    data = text.encode("utf-8")
    if path.exists():
        old = path.read_bytes()
        if old == data:
            return False
        if not old.startswith(marker.encode("utf-8")):
            raise GeneratorError(f"{path} was not written by papersite; move it away to let papersite keep its lock there")
    os.replace(_write_temp(path, data), path)
    return True


def add_file(path: Path, data: bytes) -> bool:
    """Put a new file in place (atomically); an identical one is left as it is, a different one
    is never replaced. Returns whether the file was written."""
    path = Path(path)
    if path.exists():
        if path.read_bytes() == data:
            return False
        raise GeneratorError(f"{path} already exists with other content; papersite will not replace it")
    os.replace(_write_temp(path, data), path)
    return True


def write_cache(folder: Path, caches: Mapping[str, Mapping], *, grown: Mapping[str, Mapping] | None = None,
                patched: Mapping[str, Mapping] | None = None) -> None:
    """Replace papersite's cache files (``<kind>.pickle``: the cache's marker, the code's version,
    the entries' pickle; read by :func:`generator.cache.load_cache`) in ``folder``. The entries are
    pickled straight into the file (at 60,000 papers the caches are a gigabyte of pickle, which
    need not be in memory at once). A file there that papersite did not write is left alone (that
    kind is then not cached), and a cache that cannot be written only costs the next build time.

    A kind whose entries are keyed by their own content (the digests' records, the papers' names
    and words) grows by a day's worth each day, and rewriting all of it cost a daily build more
    than the day's work. ``grown`` holds, for such kinds, the entries the cache held before
    (what :func:`load_cache` gave): the new entries are added as a segment file
    (``<kind>.<n>.pickle``) when the old entries no longer used are at most a quarter of them
    and there are fewer than :data:`SEGMENTS` segments; otherwise the kind is written whole again
    and its segments removed. An entry no longer used stays until then; keyed by its content,
    it can only be found again by the same content.

    A kind whose entries a day changes a few of (the collection: a mapping of papers, of which a
    day adds or lists again a few hundred) is written the same way when ``patched`` holds the
    entries it held before, as loaded: the segment is then a patch, of the entries, and of the
    entries of mappings, that are new or no longer the same object (:func:`_patch`), and
    :func:`generator.cache.load_cache` applies it (``patched``). The kind is written whole when an
    entry was dropped or more than a quarter of them changed."""
    folder = Path(folder)
    grown, patched = grown or {}, patched or {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for kind, entries in sorted(caches.items()):
            path = folder / f"{kind}.pickle"
            if not _ours(path):
                continue
            segments = cache_segments(folder, kind)
            old, before = grown.get(kind), patched.get(kind)
            if (old or before) and path.exists() and len(segments) < SEGMENTS and all(map(_ours, segments)):
                segment = _grown(old, entries) if old else _patch(before, entries)
                if segment is not None:
                    if segment:
                        _write_entries(folder / f"{kind}.{len(segments) + 1}.pickle", segment)
                    continue
            _write_entries(path, entries)
            for segment in reversed(segments):  # after the whole kind is in place
                if _ours(segment):
                    segment.unlink()
    except OSError:
        pass


def _grown(old: Mapping, entries: Mapping) -> dict | None:
    """The entries new since ``old``, or None where the unused ones are more than a quarter."""
    if sum(1 for key in old if key not in entries) > len(old) // 4:
        return None
    return {key: value for key, value in entries.items() if key not in old}


def _patch(before: Mapping, entries: Mapping) -> dict | None:
    """What turns ``before`` into ``entries``: the entries that are not the very objects they were
    (a pointer compared, not a value), and of those that are mappings in both, the same of their
    entries. None where no patch can (an entry dropped) or should (more than a quarter changed)."""
    if not before.keys() <= entries.keys():
        return None
    patch, size, changed = {}, 0, 0
    for key, value in entries.items():
        old = before.get(key, _ABSENT)
        if isinstance(value, dict) and isinstance(old, dict):
            if not old.keys() <= value.keys():
                return None
            inner = {k: v for k, v in value.items() if old.get(k, _ABSENT) is not v}
            size, changed = size + len(value), changed + len(inner)
            if inner:
                patch[key] = inner
        else:
            size += 1
            if old is not value:
                patch[key], changed = value, changed + 1
    return patch if changed <= size // 4 else None


def write_blob(folder: Path, name: str, chunks: list, *, token: str | None = None) -> tuple[str, list[int]] | None:
    """Add ``chunks`` (bytes-like) to the cache's blob file ``name`` whose token is ``token`` (as
    :func:`generator.cache.load_blob` read it), or, with no token, replace it by a new one that
    holds only them. Returns the blob's token and where each chunk begins in it, or None when it
    cannot be written: no such blob any more (replaced by another build: then only a new one will
    do), a file that is not papersite's, or no room (only a slower build follows).

    A blob only grows until it is replaced, and its index (a cache kind of its own, written
    afterwards) names its token: an index never points into another blob, nor into what is not
    on the disk (the blob is synced first), nor past what was written whole. The chunks are
    added by one write, which no other writer's interleaves."""
    path = Path(folder) / name
    data = b"".join(chunks)
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        if token is not None:
            head = cache_header() + token.encode("ascii") + b"\n"
            try:
                fd = os.open(path, os.O_RDWR | os.O_APPEND | getattr(os, "O_BINARY", 0))
            except FileNotFoundError:
                return None
            try:
                if os.pread(fd, len(head), 0) != head:
                    return None
                if data and os.write(fd, data) != len(data):
                    return None
                end = os.lseek(fd, 0, os.SEEK_CUR if data else os.SEEK_END)
                os.fsync(fd)  # on the disk before an index can point into it
                return token, _starts(chunks, end - len(data))
            finally:
                os.close(fd)
        if not _ours(path):
            return None
        token = os.urandom(16).hex()
        head = cache_header() + token.encode("ascii") + b"\n"
        os.replace(_write_temp(path, lambda fh: (fh.write(head), fh.write(data))), path)
        return token, _starts(chunks, len(head))
    except OSError:
        return None


def _starts(chunks: list, at: int) -> list[int]:
    starts = []
    for chunk in chunks:
        starts.append(at)
        at += len(chunk)
    return starts


def _ours(path: Path) -> bool:
    """No file there, or one of papersite's cache files."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MARKER)) == MARKER
    except FileNotFoundError:
        return True


def _write_entries(path: Path, entries: Mapping) -> None:
    def pickled(fh):
        fh.write(cache_header())
        pickle.dump(dict(sorted(entries.items())), fh, protocol=5)

    # Not synced to the disk: a cache file cut short by a crash is ignored when read.
    os.replace(_write_temp(path, pickled, sync=False), path)
