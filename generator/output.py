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
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Mapping

from .cache import MARKER
from .errors import GeneratorError

__all__ = ["write_tree", "write_own_file", "write_cache", "add_file", "WriteReport", "MANIFEST"]

MANIFEST = ".papersite-manifest.json"
_TMP = ".papersite-tmp-"


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def _read_manifest(out: Path) -> set[str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return {p for p in data.get("files", []) if isinstance(p, str)}
    except (OSError, ValueError, AttributeError):
        return set()


def _same_bytes(path: Path, data: bytes) -> bool:
    """Whether the file holds exactly ``data`` (a different size needs no reading)."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _temp_for(path: Path) -> Path:
    return path.with_name(_TMP + path.name)


def _write_temp(path: Path, data: bytes, *, sync: bool = True) -> Path:
    """``data`` under a temporary name beside ``path``; on disk before returning unless ``sync`` is
    off (a tree of files is flushed once, with :func:`_flush`, instead of one fsync per file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_for(path)
    with open(tmp, "wb") as fh:
        fh.write(data)
        if sync:
            fh.flush()
            os.fsync(fh.fileno())
    return tmp


def _flush() -> None:
    """Everything written so far onto the disk: one call for thousands of files (an fsync per
    file cost 3.7 s for 4,300 pages)."""
    if hasattr(os, "sync"):
        os.sync()


def _clean_temps(out: Path) -> None:
    """Temporary files a killed build left behind: ours by name, never anything else."""
    for tmp in out.rglob(_TMP + "*"):
        if tmp.is_file():
            tmp.unlink()


def write_tree(out: Path, files: Mapping[str, str]) -> WriteReport:
    """Write ``files`` (relative path -> text) under ``out``; remove only what we made before."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clean_temps(out)
    previous = _read_manifest(out)
    root = out.resolve()
    folders: dict[Path, str] = {}
    for rel in files:
        parts = PurePosixPath(rel).parts
        if (not parts or PurePosixPath(rel).is_absolute() or ".." in parts or parts[-1].startswith(_TMP)
                or rel == MANIFEST):
            raise GeneratorError(f"refusing to write outside {out} or over its bookkeeping: {rel}")
        folders.setdefault((out / rel).parent, rel)
    # A folder may be a link that leads elsewhere: each folder is resolved once (a file that is a
    # link is replaced by the rename, not followed).
    for folder, rel in folders.items():
        where = folder.resolve()
        if where != root and root not in where.parents:
            raise GeneratorError(f"refusing to write outside {out} or over its bookkeeping: {rel}")
    data = {rel: text.encode("utf-8") for rel, text in files.items()}
    existing = {rel for rel in files if (out / rel).exists()}
    foreign = sorted(rel for rel in existing - previous if (out / rel).read_bytes() != data[rel])
    if foreign:
        raise GeneratorError(f"{out} holds files that papersite did not create: "
                             f"{', '.join(foreign[:5])}{' …' if len(foreign) > 5 else ''}; "
                             "choose an empty --out folder")
    same = {rel for rel in existing if _same_bytes(out / rel, data[rel])}
    unchanged = [rel for rel in files if rel in same]
    changed = [rel for rel in files if rel not in same]

    # Phase 1: everything that changes goes to disk under temporary names.
    staged: list[tuple[Path, Path]] = []
    try:
        for rel in changed:
            staged.append((_write_temp(out / rel, data[rel], sync=False), out / rel))
        if staged:
            _flush()
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
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
    manifest = json.dumps({"generator": "papersite", "files": ours}, indent=1) + "\n"
    os.replace(_write_temp(out / MANIFEST, manifest.encode("utf-8")), out / MANIFEST)
    return WriteReport(tuple(changed), tuple(unchanged), tuple(removed))


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


def write_cache(folder: Path, caches: Mapping[str, bytes]) -> None:
    """Replace papersite's cache files (``<kind>.pickle``, each starting with the cache's marker) in
    ``folder``. A file there that papersite did not write is left alone (that kind is then not
    cached), and a cache that cannot be written only costs the next build time."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for kind, data in sorted(caches.items()):
            path = folder / f"{kind}.pickle"
            if path.exists():
                with open(path, "rb") as fh:
                    if fh.read(len(MARKER)) != MARKER:
                        continue
            os.replace(_write_temp(path, data), path)
    except OSError:
        pass
