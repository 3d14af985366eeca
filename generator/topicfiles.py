"""Topic files in the content folder: curated topics (written by a person) and the lock of
discovered topics (written by papersite), read and validated once, at the edge.

``topics.yml`` is the author's: papersite reads it and never writes it (``topics suggest``
only writes it when it does not exist). ``topics.lock.yml`` is papersite's: it remembers
which papers each discovered topic holds, so that names and URLs stay put as days are added.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SettingsError

__all__ = ["CuratedTopic", "LockedTopic", "read_curated", "read_lock", "parse_lock", "lock_text", "suggestion_text",
           "CURATED_FILE", "LOCK_FILE", "LOCK_HEADER"]

CURATED_FILE = "topics.yml"
LOCK_FILE = "topics.lock.yml"
LOCK_HEADER = "# Written by papersite"


@dataclass(frozen=True)
class CuratedTopic:
    name: str
    description: str = ""
    phrases: tuple[str, ...] = ()
    parent: str | None = None


@dataclass(frozen=True)
class LockedTopic:
    id: str
    name: str
    papers: tuple[str, ...]  # papers whose own topic it is
    also: tuple[str, ...] = ()  # papers that have it as a second or third topic
    # Its key phrases when it was found: kept like its name, because each paper's reason for being
    # in it ("shares 'x' and 'y' with this topic") names them. Worked out afresh each day, they
    # moved with the new papers and rewrote a quarter of the old papers' pages that a day touched.
    phrases: tuple[str, ...] = ()


def read_curated(content: Path) -> tuple[CuratedTopic, ...]:
    path = content / CURATED_FILE
    if not path.exists():
        return ()
    import yaml  # PyYAML is imported where a file is read or written (see :func:`_loader`)

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from exc
    items = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SettingsError(f"{path}: expected 'topics:' followed by a list of topics")
    topics, names = [], set()
    for i, item in enumerate(items, 1):
        where = f"{path}: topic {i}"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise SettingsError(f"{where}: every topic needs a 'name'")
        unknown = set(item) - {"name", "description", "phrases", "parent"}
        if unknown:
            raise SettingsError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        phrases = item.get("phrases") or []
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise SettingsError(f"{where}: 'phrases' must be a list of words or phrases")
        name = item["name"].strip()
        if name.casefold() in names:
            raise SettingsError(f"{where}: the name {name!r} is used twice")
        names.add(name.casefold())
        topics.append(CuratedTopic(name, str(item.get("description") or "").strip(),
                                   tuple(p.strip() for p in phrases),
                                   str(item["parent"]).strip() if item.get("parent") else None))
    known = {t.name for t in topics}
    for t in topics:
        if t.parent and t.parent not in known:
            raise SettingsError(f"{path}: topic {t.name!r} has parent {t.parent!r}, which is not a topic of this file")
    return tuple(topics)


def _loader():
    """libyaml's loader when PyYAML has it: the lock lists every paper, and at 60,000 papers the
    pure-Python dumper took 5 s of every build (for ordinary names and ids libyaml writes the
    same bytes; either way the lock reads back the same, see the property test). PyYAML is
    imported here, where a file is read or written, not with the module: a daily build reads
    its lock from the cache and writes most of it itself (:func:`_plain_lock`); the command line
    imported in a median of 72 ms without PyYAML and logging, against 81 ms with them."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _dumper():
    """libyaml's dumper when PyYAML has it (see :func:`_loader`)."""
    import yaml

    return getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def read_lock(content: Path) -> tuple[LockedTopic, ...]:
    """The discovered topics of the last build; a damaged lock is ignored (topics are rediscovered)."""
    try:
        data = (content / LOCK_FILE).read_bytes()
    except OSError:
        return ()
    return parse_lock(data)


def parse_lock(data: bytes) -> tuple[LockedTopic, ...]:
    """:func:`read_lock` of a lock file's bytes."""
    import yaml

    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text reads it
        data = yaml.load(text, Loader=_loader()) or {}
        return tuple(LockedTopic(str(t["id"]), str(t["name"]), tuple(str(p) for p in t.get("papers") or ()),
                                 tuple(str(p) for p in t.get("also") or ()),
                                 tuple(str(p) for p in t.get("phrases") or ()))
                     for t in data.get("topics") or ())
    except (OSError, yaml.YAMLError, UnicodeDecodeError, AttributeError, KeyError, TypeError):
        return ()


def lock_text(topics: tuple[LockedTopic, ...]) -> str:
    body = _plain_lock(topics)
    if body is None:
        import yaml

        body = yaml.dump({"version": 1, "topics": [
            {"id": t.id, "name": t.name, **({"phrases": list(t.phrases)} if t.phrases else {}), "papers": list(t.papers),
             **({"also": list(t.also)} if t.also else {})}
            for t in topics]}, Dumper=_dumper(),
            sort_keys=False, allow_unicode=False, width=100)
    return (f"{LOCK_HEADER}: the discovered topics, so that their names and pages stay put as days\n"
            "# are added. Commit it with the digests. Curate topics in topics.yml; delete this file\n"
            "# to discover all topics afresh.\n" + body)


# A string YAML writes as it is (plain), in any place of the lock: letters, digits and a few
# marks inside, none of YAML's indicators (": ", " #", a leading "-"), short enough that no line of
# the lock is folded; see :func:`_plain`.
_PLAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ._'/()-]{0,78}[A-Za-z0-9)])?")
_LETTER = re.compile(r"[A-Za-z]")
# Plain words that YAML 1.1 reads as booleans or null, in any case (more than it reads so).
_WORDS = frozenset("y n yes no true false on off null".split())
_NUMBERED = re.compile(r"\d+(?:-\d+)+")  # "2503-12515": a string, unless a date
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _plain(value: str) -> bool:
    """Whether YAML writes ``value`` as it is: :data:`_PLAIN`, and it does not read back as
    anything but this string (a number, a date, a boolean, null), judged with a margin: a value
    with a letter is a string unless it is one of :data:`_WORDS` or opens like a binary or
    hexadecimal number; a value without is one only when it is numbers joined by hyphens that
    are not a date ("2503-12515")."""
    if not _PLAIN.fullmatch(value) or "  " in value:
        return False
    if _LETTER.search(value):
        return value.lower() not in _WORDS and not value.startswith(("0b", "0x", "0B", "0X"))
    return bool(_NUMBERED.fullmatch(value)) and not _DATE.fullmatch(value)


def _plain_lock(topics: tuple[LockedTopic, ...]) -> str | None:
    """The lock's YAML as :func:`yaml.dump` writes it (block style, keys in this order, no empty
    lists), line by line: a value written plain (:func:`_plain`, as arXiv ids and most names and
    phrases are) as it is, any other as ``yaml.dump`` writes it in the same place
    (:func:`_dumped`); None for no topics, or a topic without papers. Representing each of the
    18,000 ids of a 10,440-paper lock as a YAML node was 0.07 to 0.08 s of every build, on the
    side that finds the topics, after them; this takes 0.019 s. A property test holds it to
    ``yaml.dump``."""
    if not topics:
        return None
    lines = ["version: 1", "topics:"]
    for t in topics:
        if not t.papers:
            return None
        lines.append(f"- id: {t.id}" if _plain(t.id) else _dumped("id", t.id))
        lines.append(f"  name: {t.name}" if _plain(t.name) else _dumped("name", t.name))
        for key, values in (("phrases", t.phrases), ("papers", t.papers), ("also", t.also)):
            if values:
                lines.append(f"  {key}:")
                lines.extend([f"  - {value}" if _plain(value) else _dumped("item", value) for value in values])
    return "\n".join(lines) + "\n"


def _dumped(place: str, value: str) -> str:
    """The lines (without the last newline) that ``yaml.dump`` writes for ``value`` in the lock, as
    a topic's ``id``, its ``name``, or an item of one of its lists: taken from a document that
    holds the value in the same place, at the same indentation, which is all that the way YAML
    writes a string depends on."""
    import yaml

    if place == "id":
        text = yaml.dump([{"id": value}], Dumper=_dumper(), sort_keys=False, allow_unicode=False, width=100)
        return text.rstrip("\n")
    if place == "name":
        text = yaml.dump([{"id": "x", "name": value}], Dumper=_dumper(), sort_keys=False, allow_unicode=False, width=100)
        return text[len("- id: x\n"):].rstrip("\n")
    text = yaml.dump([{"papers": [value]}], Dumper=_dumper(), sort_keys=False, allow_unicode=False, width=100)
    return text[len("- papers:\n"):].rstrip("\n")


def suggestion_text(topics) -> str:
    """A topics.yml proposal from discovered topics: a starting point for a person to edit."""
    import yaml

    def phrases(t):  # multi-word phrases match few papers by accident; single words many
        multi = [p for p in t.keyphrases if " " in p]
        return (multi or list(t.keyphrases))[:5]

    body = yaml.safe_dump({"topics": [
        {"name": t.name, "description": t.description, "phrases": phrases(t)} for t in topics]},
        sort_keys=False, allow_unicode=True, width=100)
    return ("# Topics proposed by `papersite topics suggest`. Rename them, merge them, add a\n"
            "# 'parent:', drop what you do not want: papers are assigned by these phrases.\n" + body)
