"""Command line: a thin layer that parses arguments, calls the library and maps errors to exit codes."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import build_site, suggest_topics
from .errors import GeneratorError
from .output import write_own_file, write_tree
from .topicfiles import CURATED_FILE, LOCK_FILE, LOCK_HEADER

__all__ = ["main"]


def _build(args: argparse.Namespace) -> int:
    site = build_site(Path(args.content), templates=Path(args.templates) if args.templates else None)
    for diag in site.diagnostics:
        print(f"{'error' if diag.level == 'unusable' else 'warning'}: {diag}", file=sys.stderr)
    report = write_tree(Path(args.out), site.files)
    if write_own_file(Path(args.content) / LOCK_FILE, site.lock, marker=LOCK_HEADER):
        print(f"updated {Path(args.content) / LOCK_FILE}: keep it with the digests so topics stay put")
    print(site.summary())
    print(f"wrote {len(report.written)} files, {len(report.unchanged)} unchanged, "
          f"{len(report.removed)} removed, into {args.out}")
    unusable = [d for d in site.diagnostics if d.level == "unusable"]
    if unusable:
        print(f"error: {len(unusable)} digest file(s) could not be read at all; the site was built without them",
              file=sys.stderr)
        return 1
    return 0


def _quality(args: argparse.Namespace) -> int:
    from .quality import evaluate, label_files

    files = [f for path in args.labels for f in (label_files(Path(path)) if Path(path).is_dir() else [Path(path)])]
    if not files:
        raise GeneratorError(f"no label files (*.yml) in {', '.join(args.labels)}")
    failed = False
    print(f"{'labelled digest':32} {'papers':>6} {'links':>5} {'TP':>4} {'FP':>4} {'FN':>4} {'traps hit':>9} {'precision':>9} {'recall':>6}")
    for score in map(evaluate, files):
        print(f"{score.name:32} {score.papers:6d} {score.predicted:5d} {score.true_positives:4d} "
              f"{len(score.false_positives):4d} {len(score.missed):4d} {score.traps_hit:4d}/{score.traps:<4d} "
              f"{score.precision:9.3f} {score.recall:6.3f}")
        if args.verbose:
            for s, t, a in score.false_positives:
                print(f"    wrong: {s[:50]!r} -> {t[:50]!r} as {a!r}")
            for s, t, a in score.missed:
                print(f"    missed: {s[:50]!r} -> {t[:50]!r} ({a})")
        failed |= score.precision < args.min_precision or score.recall < args.min_recall
    return 1 if failed else 0


def _suggest(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else Path(args.content) / CURATED_FILE
    if out.exists():
        raise GeneratorError(f"{out} exists and papersite never overwrites it; pass --out with another path")
    write_own_file(out, suggest_topics(Path(args.content)), marker="# Topics proposed by")
    print(f"wrote {out}: edit it, then build; papers are assigned by its phrases")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="papersite", description="Build a paper site from daily digests.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="generate the Markdown pages and graph.json")
    build.add_argument("--content", default="content", help="folder with digests/ and settings.yml (default: content)")
    build.add_argument("--out", required=True, help="folder to write the generated pages into")
    build.add_argument("--templates", help="folder of Jinja2 templates (default: the bundled ones)")
    build.set_defaults(func=_build)
    quality = sub.add_parser("quality", help="precision and recall of inferred links on labelled digests")
    quality.add_argument("labels", nargs="*", default=["tests/quality"], help="label files or folders of them")
    quality.add_argument("--min-precision", type=float, default=0.0)
    quality.add_argument("--min-recall", type=float, default=0.0)
    quality.add_argument("-v", "--verbose", action="store_true", help="list wrong and missed links")
    quality.set_defaults(func=_quality)
    topics = sub.add_parser("topics", help="work with topics").add_subparsers(dest="topics_command", required=True)
    suggest = topics.add_parser("suggest", help="write a proposed topics.yml from the current collection")
    suggest.add_argument("--content", default="content", help="content folder (default: content)")
    suggest.add_argument("--out", help="where to write it (default: CONTENT/topics.yml, only if absent)")
    suggest.set_defaults(func=_suggest)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
