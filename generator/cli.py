"""Command line: a thin layer that parses arguments, calls the library and maps errors to exit codes."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .build import Site, build_site, suggest_topics, without_cycle_collector
from .errors import GeneratorError
from .cache import default_cache
from .output import add_file, write_own_file, write_tree
from .readers import digest_files, read_digest, reader_for
from .settings import load_settings
from .topicfiles import read_curated
from .topicfiles import CURATED_FILE, LOCK_FILE, LOCK_HEADER

__all__ = ["main", "run"]


def _build(args: argparse.Namespace) -> int:
    with without_cycle_collector():  # until the site is written and freed, or the process ends (see there)
        code, site = _build_and_write(args)
        if args.hard_exit:
            _hard_exit(code)
        del site
    return code


def _hard_exit(code: int) -> None:
    """End the process without freeing the build object by object: the `papersite` command has
    printed its last line, and the system takes back the memory at once. Freeing the site and
    the interpreter's tear-down were 0.7 s of a 60,000-paper build (mypy's ``hard_exit`` does the
    same). Only the command does this; :func:`main` called from Python returns."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    if "logging" in sys.modules:  # a library's log handlers, flushed (nothing of ours imports logging)
        sys.modules["logging"].shutdown()
    os._exit(code)


def _build_and_write(args: argparse.Namespace) -> tuple[int, Site]:
    """The exit code, and the site (kept alive for :func:`_hard_exit`)."""
    cache = None if args.no_cache else Path(args.cache) if args.cache else default_cache(Path(args.content))
    later: list = []  # the cache files still being written: waited for once the site is written
    site = build_site(Path(args.content), templates=Path(args.templates) if args.templates else None,
                      progress=sys.stderr.isatty() or args.progress, cache=cache, later=later)
    for diag in site.diagnostics:
        print(f"{'error' if diag.level == 'unusable' else 'warning'}: {diag}", file=sys.stderr)
    try:
        report = write_tree(Path(args.out), site.files, encoded=site.encoded)
    finally:
        for wait in later:
            wait()
    if write_own_file(Path(args.content) / LOCK_FILE, site.lock, marker=LOCK_HEADER):
        print(f"updated {Path(args.content) / LOCK_FILE}: keep it with the digests so topics stay put")
    print(site.summary())
    print(f"wrote {len(report.written)} files, {len(report.unchanged)} unchanged, "
          f"{len(report.removed)} removed, into {args.out}")
    unusable = [d for d in site.diagnostics if d.level == "unusable"]
    if unusable:
        print(f"error: {len(unusable)} digest file(s) could not be read at all; the site was built without them",
              file=sys.stderr)
        return 1, site
    return 0, site


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


def _report(diags) -> int:
    for diag in diags:
        print(f"{'error' if diag.level != 'warning' else 'warning'}: {diag}", file=sys.stderr)
    return sum(d.level != "warning" for d in diags)


def _add(args: argparse.Namespace) -> int:
    settings = load_settings(Path(args.content))
    folder = Path(args.content) / settings.digests
    folder.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name in args.files:
        source = Path(name)
        if not source.is_file():
            print(f"error: {source}: no such file", file=sys.stderr)
            failed += 1
            continue
        reader, _ = reader_for(source)
        ending = source.name[len(source.name.split(".")[0]):].lower() if reader else ""
        # --date names the file first, so that readers take the year and day from it.
        shown = f"{args.date}{ending}" if args.date else str(source)
        records, diags = read_digest(source, display=shown, year=settings.year)
        failed += _report(d for d in diags if d.level == "unusable") and 1
        if not records:
            if not any(d.level == "unusable" for d in diags):
                print(f"error: {source}: no papers found", file=sys.stderr)
            if any("no year" in d.message or "YYYY-MM-DD" in d.message for d in diags):
                print("hint: pass --date YYYY-MM-DD to say which day it is", file=sys.stderr)
            failed += 1
            continue
        for diag in diags:
            if diag.level != "unusable":
                print(f"{'warning' if diag.level == 'warning' else 'skipped'}: {diag}", file=sys.stderr)
        day = max(r.date for r in records)
        target = folder / f"{day.isoformat()}{ending}"
        try:
            wrote = add_file(target, source.read_bytes())
        except GeneratorError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"{'added' if wrote else 'already there:'} {target} ({len(records)} papers of {day.isoformat()})")
    return 1 if failed else 0


def _check(args: argparse.Namespace) -> int:
    content = Path(args.content)
    settings = load_settings(content)
    curated = read_curated(content)
    files = digest_files(content / settings.digests)
    papers, diags = 0, []
    for path in files:
        records, more = read_digest(path, year=settings.year)
        papers += len(records)
        diags.extend(more)
    errors = _report(diags)
    warnings = len(diags) - errors
    print(f"{len(files)} digests, {papers} records, {len(curated)} curated topics; "
          f"{errors} errors, {warnings} warnings")
    return 1 if errors or not files else 0


def _suggest(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else Path(args.content) / CURATED_FILE
    if out.exists():
        raise GeneratorError(f"{out} exists and papersite never overwrites it; pass --out with another path")
    write_own_file(out, suggest_topics(Path(args.content)), marker="# Topics proposed by")
    print(f"wrote {out}: edit it, then build; papers are assigned by its phrases")
    return 0


def main(argv: list[str] | None = None, *, hard_exit: bool = False) -> int:
    """The command line's exit code. With ``hard_exit`` (the `papersite` command itself), a build
    ends the process once its output is written: see :func:`_hard_exit`."""
    parser = argparse.ArgumentParser(prog="papersite", description="Build a paper site from daily digests.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="generate the Markdown pages and graph.json")
    build.add_argument("--content", default="content", help="folder with digests/ and settings.yml (default: content)")
    build.add_argument("--out", required=True, help="folder to write the generated pages into")
    build.add_argument("--templates", help="folder of Jinja2 templates (default: the bundled ones)")
    build.add_argument("--progress", action="store_true", help="show progress bars even when not on a terminal")
    build.add_argument("--cache", help="folder for work kept between builds (default: .cache/papersite beside the content folder)")
    build.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    build.set_defaults(func=_build)
    add = sub.add_parser("add", help="check digests and file them in the content folder under their date")
    add.add_argument("files", nargs="+", help="digest files: a Daily Papers page copy, arXiv JSON lines, or HF API JSON")
    add.add_argument("--content", default="content", help="content folder (default: content)")
    add.add_argument("--date", help="the digest's day, YYYY-MM-DD, when the digest does not say the year")
    add.set_defaults(func=_add)
    check = sub.add_parser("check", help="validate every digest and the settings without building")
    check.add_argument("--content", default="content", help="content folder (default: content)")
    check.set_defaults(func=_check)
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
    args.hard_exit = hard_exit
    try:
        return args.func(args)
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def run() -> None:
    """The `papersite` command (and ``python -m generator.cli``)."""
    sys.exit(main(hard_exit=True))


if __name__ == "__main__":
    run()
