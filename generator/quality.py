"""Precision and recall of the inferred links against labelled digests.

A label file (YAML) names a digest and lists ``must_link`` pairs — complete:
every true link of that digest — and ``must_not_link`` traps. Every link the
finder predicts that is not a ``must_link`` pair counts against precision, so
precision is measured over all predictions, not only over the judged traps.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .analysis import find_links
from .collection import build_collection
from .errors import GeneratorError
from .readers import read_digest

__all__ = ["LinkScore", "evaluate", "label_files"]


@dataclass(frozen=True)
class LinkScore:
    name: str
    papers: int
    predicted: int
    true_positives: int
    false_positives: tuple[tuple[str, str, str], ...]  # (source title, target title, alias)
    missed: tuple[tuple[str, str, str], ...]  # (source title, target title, expected name)
    traps_hit: int
    traps: int
    expected: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0


def label_files(folder: Path) -> list[Path]:
    """The link label files of a folder (those with ``must_link``; topic pairs live beside them)."""
    return sorted(p for p in Path(folder).glob("*.yml")
                  if "must_link" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {}))


def evaluate(label_file: Path) -> LinkScore:
    label_file = Path(label_file)
    spec = yaml.safe_load(label_file.read_text(encoding="utf-8"))
    digest = (label_file.parent / spec["digest"]).resolve()
    records, _ = read_digest(digest, year=spec.get("year"))
    collection = build_collection(records)
    by_title = {p.title: pid for pid, p in collection.papers.items()}
    title = {pid: p.title for pid, p in collection.papers.items()}

    def pair(item: dict) -> tuple[str, str]:
        try:
            return by_title[item["source"]], by_title[item["target"]]
        except KeyError as exc:
            raise GeneratorError(f"{label_file}: no paper titled {exc.args[0]!r} in {digest}") from None

    must = {pair(i): i.get("name", "") for i in spec.get("must_link") or []}
    must_not = {pair(i) for i in spec.get("must_not_link") or []}
    _, mentions, _ = find_links(collection)
    predicted = {(m.source, m.target): m.alias for m in mentions}
    tp = set(predicted) & set(must)
    return LinkScore(
        name=label_file.stem,
        papers=len(collection.papers),
        predicted=len(predicted),
        true_positives=len(tp),
        false_positives=tuple(sorted((title[s], title[t], predicted[(s, t)]) for s, t in set(predicted) - set(must))),
        missed=tuple(sorted((title[s], title[t], must[(s, t)]) for s, t in set(must) - set(predicted))),
        traps_hit=len(set(predicted) & must_not),
        traps=len(must_not),
        expected=len(must),
    )
