"""The ``papersite`` MkDocs plugin: a thin adapter over :func:`generator.build.build_site`.

Pages are handed to MkDocs as virtual files (``File.generated``), so nothing
is written into the author's folders; the digests and settings themselves are
taken out of the site's files, and ``mkdocs serve`` rebuilds when they change.

Generated pages mark their raw HTML (:mod:`generator.rawhtml`): Python-Markdown gets a placeholder
for each raw part, Material's search only the searched parts, and the theme renders the sidebars
of pages outside the navigation once per depth (``papersite_memo``), so that 10,000 paper pages
cost MkDocs about a fifth more than bare pages of the same text (twice as much without this).

``search: pagefind`` swaps Material's search (one index of the whole site, loaded before the
first answer) for Pagefind's chunked static index: paper pages are marked up for it as they are
rendered, Pagefind runs over the built site after every build, and a small script answers in
Material's own search box (``templates/theme/partials/papersite-search.html``, ``search.js``).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from .cache import default_cache
from .build import MAP_SCRIPT, build_site
from .pagefind import mark_for_pagefind, pagefind_executable
from .rawhtml import placeholder, split_page
from .render import default_templates, theme_file
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
    # "material": Material's search plugin (one index, loaded whole). "pagefind": a chunked static
    # index of the paper pages built by Pagefind after each build (pip install 'papersite[pagefind]');
    # Material's search plugin is then switched off.
    search = c.Choice(("material", "pagefind"), default="material")
    # Keep per-digest and per-paper work in .cache/papersite beside the content folder, so that
    # a rebuild after adding a day redoes only that day's reading and text analysis.
    cache = c.Type(bool, default=True)
    # false: docs_dir already holds the pages that `papersite build --out` wrote; the plugin then
    # generates nothing and only renders those pages the fast way (see on_page_markdown).
    generate = c.Type(bool, default=True)


SEARCH_SCRIPT = "assets/papersite/search.js"
PAGEFIND_DIR = "pagefind"


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
        if self.config.search == "pagefind":
            self._pagefind = pagefind_executable()
            # One search box, not two: Material's search plugin (listed as `- search`) would build
            # its own whole-site index and draw its own box. Its hooks all check `enabled`.
            material_search = config.plugins.get("material/search")
            if material_search is not None and material_search.config.enabled:
                material_search.config.enabled = False
                log.info("papersite: search: pagefind, so Material's search plugin is switched off")
            elif "search" in config.plugins:
                raise PluginError("papersite: search: pagefind needs the Material theme; "
                                  "remove `- search` from plugins or use search: material")
            if SEARCH_SCRIPT not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(SEARCH_SCRIPT)
        return config

    def on_files(self, files: Files, *, config) -> Files:
        self._parts = {}
        self._generated = None  # pages written by `papersite build --out`: any page may be ours
        if not self.config.generate:
            return files
        try:
            cache = default_cache(self.content) if self.config.cache else None
            site = build_site(self.content, templates=self.templates, site_name=config.site_name,
                              site_url=config.site_url or None, cache=cache,
                              directory_urls=config.use_directory_urls)
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
            if not file.abs_src_path:
                continue
            # A digest may be a symbolic link to a file elsewhere: look at the link, not its target.
            link = Path(os.path.abspath(file.abs_src_path))
            where = Path(os.path.realpath(link.parent)) / link.name
            if where in hidden or digests in where.parents:
                files.remove(file)
        c = site.collection
        config.extra["papersite"] = {
            "built": _build_date(), "digest_count": len(c.digests), "papers": len(c.papers),
            "first": c.days[0].isoformat() if c.days else "", "last": c.days[-1].isoformat() if c.days else "",
            "search": self.config.search,
        }
        theme_root = (self.templates or default_templates()) / "theme"
        for file in list(files):
            # The theme folder's scripts are served from assets/papersite/, not also from the root.
            if file.abs_src_path and Path(file.abs_src_path).parent == theme_root and file.src_uri.endswith(".js"):
                files.remove(file)
        if self.config.search == "pagefind" and files.get_file_from_path(SEARCH_SCRIPT) is None:
            script = theme_file(self.templates, "search.js")
            files.append(File.generated(config, SEARCH_SCRIPT, content=script.read_text(encoding="utf-8")))
        self._generated = set()
        for rel, text in site.files.items():
            if files.get_file_from_path(rel) is not None:
                log.info("papersite: keeping the author's own %s instead of the generated page", rel)
                continue
            files.append(File.generated(config, rel, content=text))
            self._generated.add(rel)
        self._watch = [self.content] if docs != self.content and docs not in self.content.parents else []
        return files

    def on_env(self, env, *, config, files):
        """``papersite_memo``: the theme renders a block once per key and reuses it. The sidebars of
        a page outside the navigation with no headings in its table of contents are the same for
        every such page at the same depth, and rendering them again for each of 10,000 paper
        pages was a tenth of the build."""
        memo = {}

        def papersite_memo(*key, caller):
            if key not in memo:
                memo[key] = caller()
            return memo[key]

        env.globals["papersite_memo"] = papersite_memo
        return env

    @event_priority(100)  # before other plugins read the Markdown: the raw parts are final
    def on_page_markdown(self, markdown, *, page, config, files):
        """Python-Markdown gets a generated page's Markdown with a placeholder line for each raw
        part. Those parts are final (escaped text, final URLs), and parsing them in MkDocs' anchor
        collector and Python-Markdown's stash doubled the time of a paper page."""
        if self._generated is not None and page.file.src_uri not in self._generated:
            return markdown
        parts = split_page(markdown)
        if parts is None:
            return markdown
        self._parts[page.file.src_uri] = parts
        return parts.markdown

    def on_page_content(self, html, *, page, config, files):
        parts = self._parts.get(page.file.src_uri)
        return html if parts is None else _put_back(html, parts, searched=True)

    @event_priority(-100)  # after Material's search has indexed the page
    def on_page_context(self, context, *, page, config, nav):
        """The unsearched parts (dates, lists of papers, the graph) join the page only now:
        Material's search parses all the HTML it is given, even what it then leaves out, so
        giving it less is what keeps its index build cheap."""
        parts = self._parts.pop(page.file.src_uri, None)
        if parts is not None:
            page.content = _put_back(page.content, parts, searched=False)
        if self.config.search == "pagefind" and page.file.src_uri.startswith("papers/"):
            page.content = mark_for_pagefind(page.content)
        # What the sidebars depend on, when that is only the depth of the page (see on_env).
        in_nav = page.parent is not None or page in nav.pages
        context["papersite_sidebars"] = None if in_nav or len(page.toc) or "hide" in page.meta \
            else context.get("base_url")
        return context

    def on_post_build(self, *, config):
        if self.config.search != "pagefind":
            return
        site = Path(config.site_dir)
        shutil.rmtree(site / PAGEFIND_DIR, ignore_errors=True)  # no stale chunks from earlier builds
        args = [str(self._pagefind), "--site", str(site), "--output-subdir", PAGEFIND_DIR, "--glob", "papers/**/*.html",
                "--exclude-selectors", "[data-search-exclude]", "--exclude-selectors", ".headerlink"]
        start = time.perf_counter()
        result = subprocess.run(args, capture_output=True, text=True)
        if result.returncode != 0:
            raise PluginError(f"papersite: pagefind failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
        pages = re.search(r"Indexed (\d+) pages?", result.stdout)
        log.info("papersite: pagefind indexed %s paper pages into %s/ in %.1f s", pages.group(1) if pages else "?",
                 PAGEFIND_DIR, time.perf_counter() - start)

    def on_serve(self, server, *, config, builder):
        for path in getattr(self, "_watch", []):
            server.watch(str(path))
        return server


def _put_back(html: str, parts, *, searched: bool) -> str:
    for i, (is_searched, part) in enumerate(parts.html):
        if is_searched == searched:
            html = html.replace(placeholder(i), part, 1)
    return html


def _build_date() -> str:
    """Today, or the day SOURCE_DATE_EPOCH names, so that reproducible builds stay so."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch and epoch.isdigit() \
        else dt.datetime.now(dt.timezone.utc)
    return when.date().isoformat()
