"""Command line: a thin layer that parses arguments, calls the library and maps errors to exit codes."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import build_site
from .errors import GeneratorError
from .output import write_tree

__all__ = ["main"]


def _build(args: argparse.Namespace) -> int:
    site = build_site(Path(args.content), templates=Path(args.templates) if args.templates else None)
    for diag in site.diagnostics:
        print(f"warning: {diag}", file=sys.stderr)
    report = write_tree(Path(args.out), site.files)
    print(site.summary())
    print(f"wrote {len(report.written)} files, {len(report.unchanged)} unchanged, "
          f"{len(report.removed)} removed, into {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="papersite", description="Build a paper site from daily digests.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="generate the Markdown pages and graph.json")
    build.add_argument("--content", default="content", help="folder with digests/ and settings.yml (default: content)")
    build.add_argument("--out", required=True, help="folder to write the generated pages into")
    build.add_argument("--templates", help="folder of Jinja2 templates (default: the bundled ones)")
    build.set_defaults(func=_build)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
