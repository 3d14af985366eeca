"""The ``papersite`` MkDocs plugin: a thin adapter over :func:`generator.build.build_site`.

Pages are handed to MkDocs as virtual files (``File.generated``), so nothing
is written into the author's folders; the digests and settings themselves are
taken out of the site's files, and ``mkdocs serve`` rebuilds when they change.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .build import MAP_SCRIPT, build_site
from .render import default_templates
from .errors import GeneratorError
from .output import write_own_file
from .settings import SETTINGS_FILE, load_settings
from .topicfiles import CURATED_FILE, LOCK_FILE, LOCK_HEADER

__all__ = ["PapersitePlugin"]

log = logging.getLogger("mkdocs.plugins.papersite")

DEFAULT_NAV = [
    {"Home": "index.md"},
    {"Days": "days/index.md"},
    {"Topics": "topics/index.md"},
    {"Graph": "graph.md"},
]


class PapersiteConfig(Config):
    content = c.Type(str, default="content")  # relative to mkdocs.yml
    templates = c.Optional(c.Type(str))
    strict_input = c.Type(bool, default=False)  # bad digest records as warnings (fail --strict)


class PapersitePlugin(BasePlugin[PapersiteConfig]):
    def on_config(self, config):
        base = Path(config.config_file_path or ".").resolve().parent
        self.content = (base / self.config.content).resolve()
        self.templates = (base / self.config.templates).resolve() if self.config.templates else None
        if config.nav is None:
            config.nav = DEFAULT_NAV
        # The theme additions (feed links, social tags, footer) come after the author's own
        # custom_dir, so the author can still override them.
        theme_dir = str((self.templates or default_templates()) / "theme")
        if Path(theme_dir).is_dir() and theme_dir not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, theme_dir)
        if MAP_SCRIPT not in [str(s) for s in config.extra_javascript]:
            config.extra_javascript.append(MAP_SCRIPT)
        return config

    def on_files(self, files: Files, *, config) -> Files:
        try:
            site = build_site(self.content, templates=self.templates, site_name=config.site_name,
                              site_url=config.site_url or None)
            if write_own_file(self.content / LOCK_FILE, site.lock, marker=LOCK_HEADER):
                log.info("papersite: updated %s (commit it so topics stay put)", self.content / LOCK_FILE)
        except GeneratorError as exc:
            raise PluginError(f"papersite: {exc}") from exc
        for diag in site.diagnostics:
            # A file that is not a digest at all is worth failing --strict for; a bad
            # record in a good digest is reported and skipped unless strict_input is set.
            serious = diag.level == "unusable" or self.config.strict_input
            log.log(logging.WARNING if serious else logging.INFO, "papersite: %s", diag)
        log.info("papersite: %s", site.summary())

        docs = Path(config.docs_dir).resolve()
        settings = load_settings(self.content)
        hidden = {self.content / SETTINGS_FILE, self.content / CURATED_FILE, self.content / LOCK_FILE}
        digests = (self.content / settings.digests).resolve()
        for file in list(files):
            path = Path(file.abs_src_path).resolve() if file.abs_src_path else None
            if path and (path in hidden or digests in path.parents):
                files.remove(file)
        c = site.collection
        config.extra["papersite"] = {
            "built": _build_date(), "digest_count": len(c.digests), "papers": len(c.papers),
            "first": c.days[0].isoformat() if c.days else "", "last": c.days[-1].isoformat() if c.days else "",
        }
        for rel, text in site.files.items():
            if files.get_file_from_path(rel) is not None:
                log.info("papersite: keeping the author's own %s instead of the generated page", rel)
                continue
            files.append(File.generated(config, rel, content=text))
        self._watch = [self.content] if docs != self.content and docs not in self.content.parents else []
        return files

    def on_serve(self, server, *, config, builder):
        for path in getattr(self, "_watch", []):
            server.watch(str(path))
        return server


def _build_date() -> str:
    """Today, or the day SOURCE_DATE_EPOCH names, so that reproducible builds stay so."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch and epoch.isdigit() \
        else dt.datetime.now(dt.timezone.utc)
    return when.date().isoformat()
