"""Plan the pages of the site from the analysed collection.

Each planned page is a path, a template and a context of plain values. Links
in Markdown are relative ``.md`` paths (``href``), which MkDocs resolves and
checks; links in raw HTML (``url``: the long lists, the paper pages below the
abstract, the pictures) are the URLs MkDocs gives the pages, because MkDocs
copies raw HTML as it is, and a Markdown link costs it far more than an element.
All ordering decisions are made here, so the templates only loop and escape; the lists too long
for a template's loop (a topic's or a day's papers) are made here as HTML, escaped as a template
escapes.
"""
from __future__ import annotations

import calendar
import functools
import html
import posixpath
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any, Callable, Mapping

from markupsafe import Markup

from .escape import highlight, markdown_str, safe_url
from .feeds import feed_path, topic_feed_path
from .model import Analysis, Collection, Mention, Paper
from .svg import collection_svg, local_svg, topic_colours

__all__ = ["PlannedPage", "PaperInputs", "DayInputs", "SitePlan", "plan_site", "paper_path", "topic_path", "day_path"]


@dataclass(frozen=True)
class PlannedPage:
    path: str  # relative to the docs folder, e.g. "papers/gist.md"
    template: str
    context: Mapping[str, Any]


@dataclass(frozen=True)
class PaperInputs:
    """All that a paper's page is made from: the page is a function of these values (and the
    code, the templates and the pages' paths), so the render memo fingerprints them instead of
    the planned page, and plans only the pages whose inputs changed (a quarter on a daily build)."""
    paper: Paper
    mentions: tuple[tuple[Mention, str], ...]  # (mention, the target's title)
    mentioned_by: tuple[tuple[Mention, str, date], ...]  # (mention, the source's title, its first day)
    related: tuple[tuple[str, str], ...]  # (paper id, title), best first
    topics: tuple[tuple[str, str, str], ...]  # (topic id, name, why the paper is in it)
    aliases: tuple[str, ...]  # the names it introduced, whole titles left out
    directory_urls: bool


@dataclass(frozen=True)
class DayInputs:
    """All that a day's page is made from, as :class:`PaperInputs` for a paper's page: a day
    added changes its own page and its neighbour's link, and every other day's page is found
    unchanged from these alone (at 10,440 papers, planning all 60 pages to fingerprint them was
    0.07 to 0.08 s of a daily build's pages, and it grows with the collection)."""
    day: date
    previous: date | None
    next: date | None
    papers: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]  # (id, title, ((topic id, name), ...)), by id
    directory_urls: bool


def paper_path(pid: str) -> str:
    return f"papers/{pid}.md"


def topic_path(tid: str) -> str:
    return f"topics/{tid}.md"


def day_path(day) -> str:
    return f"days/{day.isoformat()}.md"


def _href(src: str, dst: str) -> Markup:
    """Relative link between two pages; pages are at most one folder deep, so this is simple
    (and posixpath.relpath was a measurable share of planning 60,000 pages)."""
    sdir, _, _ = src.rpartition("/")
    ddir, _, dname = dst.rpartition("/")
    if sdir == ddir:
        return Markup(dname)
    if not sdir:
        return Markup(dst)
    if "/" in sdir:
        return Markup(posixpath.relpath(dst, sdir))
    return Markup("../" + dst)


def _page_url(path: str, directory_urls: bool) -> str:
    """The URL MkDocs gives the page at ``path``, from the site root: ``papers/x.md`` is
    ``papers/x/`` (``papers/x.html`` without directory URLs), ``index.md`` is the root."""
    stem = path[:-3]
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    return stem[:-5] if stem.endswith("/index") else stem + "/"


class _Links:
    """Links between pages as they must stand in raw HTML, which MkDocs copies as it is: relative
    to the built page's own URL, not to its ``.md`` file.

    A plan of 10,000 papers has 150,000 of them, so each string is made once. A link depends on
    the linking page only through the folders of its URL: into a page outside the linking page's
    own URL folder (a paper from another paper, a day or a topic), only through that folder's
    parent, so one string serves every page of the folder; into the folder, through the folder."""

    def __init__(self, directory_urls: bool):
        self.directory_urls = directory_urls
        self.parts: dict[str, list[str]] = {}  # page -> its URL split at "/"
        self.known: dict[tuple[bool, tuple[str, ...]], dict[str, Markup]] = {}

    def linker(self, src: str) -> Callable[[str], Markup]:
        """The link from ``src`` to any page."""
        here = _page_url(src, self.directory_urls).split("/")[:-1]
        depth, parts = len(here), self.parts
        inside = self.known.setdefault((True, tuple(here)), {})
        outside = self.known.setdefault((False, tuple(here[:-1])), {})

        def url(dst: str) -> Markup:
            there = parts.get(dst)
            if there is None:
                there = parts[dst] = _page_url(dst, self.directory_urls).split("/")
            known = inside if len(there) > depth and there[:depth] == here else outside
            link = known.get(dst)
            if link is None:
                k = 0
                while k < depth and k < len(there) - 1 and here[k] == there[k]:
                    k += 1
                link = known[dst] = Markup("../" * (depth - k) + "/".join(there[k:]) or "./")
            return link

        return url


def _link_label(url: str) -> str:
    host = url.split("/")[2].lower() if url.count("/") >= 2 else url
    if host in ("github.com", "gitlab.com", "bitbucket.org"):
        return "Code"
    if host == "huggingface.co":
        return "Hugging Face"
    if host.endswith("arxiv.org"):
        return "arXiv"
    return "Project page" if host.endswith(".github.io") else host


def plan_site(collection: Collection, analysis: Analysis, *, directory_urls: bool = True,
              seed: int = 42) -> list[PlannedPage]:
    plan = SitePlan(collection, analysis, directory_urls=directory_urls, seed=seed)
    return sorted((plan.page(key) for key in plan.keys()), key=lambda p: p.path)


class SitePlan:
    """The plan of every page, one page at a time: what the pages share is worked out once, and
    each page is planned on its own, so that forked workers can plan, fingerprint and render
    their own share of the pages (:func:`generator.pagememo.render_pages`)."""

    def __init__(self, collection: Collection, analysis: Analysis, *, directory_urls: bool = True, seed: int = 42):
        self.collection, self.analysis, self.directory_urls = collection, analysis, directory_urls
        self.seed = seed  # the settings' seed, which the Graph page's picture is laid out with, as the map is
        self.papers = papers = collection.papers
        self.topics = {t.id: t for t in analysis.topics}
        self.mentions_out: dict[str, list] = defaultdict(list)
        self.mentions_in: dict[str, list] = defaultdict(list)
        for m in analysis.mentions:
            self.mentions_out[m.source].append(m)
            self.mentions_in[m.target].append(m)
        self.cited = Counter(m.target for m in analysis.mentions)
        self.by_day: dict = defaultdict(list)
        for p in papers.values():
            for d in p.dates:
                self.by_day[d].append(p.id)
        self.days = sorted(self.by_day)
        self.topic_links = _topic_links(analysis)
        self.links = _Links(directory_urls)

    def keys(self) -> list[tuple]:
        """One key per page, for :meth:`page`: the long pages (topics list hundreds of papers)
        first, so that workers sharing the pages out in order do not end on them one by one."""
        return ([("topic", tid) for tid in self.topics] + [("day", i) for i in range(len(self.days))]
                + [("days",), ("topics",), ("tags",), ("index",), ("graph",)]
                + [("paper", pid) for pid in self.papers])

    def page(self, key: tuple) -> PlannedPage:
        return getattr(self, "_" + key[0])(*key[1:])

    def weight(self, key: tuple) -> float:
        """About what a page costs to plan, fingerprint and render, in paper pages: a topic or
        day page lists up to thousands of papers, each line about a tenth of what a paper page
        costs on average in a daily build (at 10,784 papers: 14 and 110 microseconds); the
        five other pages (home, days, topics, tags, graph) count as ten."""
        if key[0] == "paper":
            return 1.0
        if key[0] == "topic":
            return 1.0 + 0.1 * len(self.topics[key[1]].papers)
        if key[0] == "day":
            return 1.0 + 0.1 * len(self.by_day[self.days[key[1]]])
        return 10.0

    def _paper_ref(self, src: str, pid: str) -> dict:
        papers = self.papers
        return {"title": papers[pid].title, "href": _href(src, paper_path(pid)), "date": papers[pid].date.isoformat()}

    def _topic_ref(self, src: str, tid: str) -> dict:
        topics = self.topics
        return {"name": topics[tid].name, "href": _href(src, topic_path(tid)), "size": len(topics[tid].papers)}

    def _newest_first(self, pids):
        return sorted(pids, key=self._newest_rank.__getitem__)

    @functools.cached_property
    def _newest_rank(self) -> dict[str, int]:
        """Every paper's place, newest first (then by title and id): sorted once, where the topic
        pages sorted their members with that key each (at 62,711 papers, 0.35 of the 1.2 s
        their planning took in a daily build)."""
        papers = self.papers
        order = sorted(papers, key=lambda pid: (-papers[pid].date.toordinal(), papers[pid].title.casefold(), pid))
        return {pid: i for i, pid in enumerate(order)}

    def inputs(self, key: tuple) -> tuple[str, str, Any]:
        """A page's path, template, and what its context is made from, for the render memo: a
        paper page's :class:`PaperInputs` and a day page's :class:`DayInputs` (planning the page,
        the larger part of its cost, is left for the pages that changed); any other page's
        context itself."""
        if key[0] == "paper":
            return paper_path(key[1]), "paper.md.j2", self._paper_inputs(key[1])
        if key[0] == "day":
            return day_path(self.days[key[1]]), "day.md.j2", self._day_inputs(key[1])
        page = self.page(key)
        return page.path, page.template, page.context

    def context(self, key: tuple, inputs: Any) -> Mapping[str, Any]:
        """The context of the page whose :meth:`inputs` are ``inputs``."""
        if key[0] == "paper":
            return self._paper_context(inputs)
        return self._day_context(inputs) if key[0] == "day" else inputs

    def _paper(self, pid: str) -> PlannedPage:
        return PlannedPage(paper_path(pid), "paper.md.j2", self._paper_context(self._paper_inputs(pid)))

    def _paper_inputs(self, pid: str) -> PaperInputs:
        """Every paper's inputs are made on every build, to fingerprint its page: most papers
        mention no one and have no aliases, so an empty tuple is taken as it is, not made by a
        generator."""
        papers, analysis = self.papers, self.analysis
        out, into = self.mentions_out.get(pid), self.mentions_in.get(pid)
        related, in_topics, aliases = analysis.related.get(pid), analysis.paper_topics.get(pid), analysis.aliases.get(pid)
        if in_topics:
            topics, reasons = self.topics, analysis.topic_reasons.get(pid, {})
            in_topics = tuple([(t, topics[t].name, reasons.get(t, "")) for t in in_topics])
        return PaperInputs(
            paper=papers[pid],
            mentions=tuple([(m, papers[m.target].title) for m in out]) if out else (),
            mentioned_by=tuple([(m, papers[m.source].title, papers[m.source].date) for m in into]) if into else (),
            related=tuple([(r.target, papers[r.target].title) for r in related]) if related else (),
            topics=in_topics or (),
            aliases=tuple([a.name for a in aliases if a.how != "full-title"]) if aliases else (),
            directory_urls=self.directory_urls,
        )

    def _paper_context(self, inputs: PaperInputs) -> dict[str, Any]:
        """A paper page's context, from its inputs alone (and the links between pages, which are
        a function of the pages' paths and ``directory_urls``)."""
        paper = inputs.paper
        src = paper_path(paper.id)
        links = [(_link_label(u), safe) for u in paper.links if (safe := safe_url(u))]
        if paper.arxiv_id:
            links = [("arXiv", safe_url(f"https://arxiv.org/abs/{paper.arxiv_id}")),
                     ("PDF", safe_url(f"https://arxiv.org/pdf/{paper.arxiv_id}"))] + links
        bibtex, reference = _citation(paper)
        # Everything below the abstract is raw HTML (Markdown links cost MkDocs a conversion, a
        # lookup and a check each), so its links are the URLs MkDocs gives the pages.
        url = self.links.linker(src)
        # The picture only where it shows what the lists cannot at a glance: who names whom.
        named = {m.target for m, _ in inputs.mentions} | {m.source for m, _, _ in inputs.mentioned_by}
        near = ([(title, url(paper_path(m.target)), "out") for m, title in inputs.mentions]
                + [(title, url(paper_path(m.source)), "in") for m, title, _ in inputs.mentioned_by]
                + [(title, url(paper_path(target)), "related") for target, title in inputs.related
                   if target not in named]
                )[:12] if named else []
        # The lists are made here as escaped HTML (:func:`_links`, :func:`_mention_items`), not by
        # the template's loops over a dict per item: with them, rendering a first build's 10,440
        # paper pages took 0.92 to 0.94 s of CPU, and 0.48 to 0.56 s without.
        return {
            "meta": _paper_meta(paper, [name for _, name, _ in inputs.topics]),
            "paper": paper,
            "dates": _links([(url(day_path(d)), d.isoformat()) for d in paper.dates], ", "),
            "aliases": list(inputs.aliases),
            "topics": _links([(url(topic_path(t)), name, reason) for t, name, reason in inputs.topics], ", "),
            "links": _links([(link, label) for label, link in links], " · "),
            "bibtex": Markup(html.escape(bibtex)) if bibtex else None,
            "local_graph": Markup(local_svg(paper.title, near)) if near else None,
            "reference": reference,
            "mentions": _mention_items([(url(paper_path(m.target)), title, " as ", m.alias,
                                         highlight(m.evidence, m.start, m.end)) for m, title in inputs.mentions]),
            "mentioned_by": _mention_items([(url(paper_path(m.source)), title, f" ({_value(day.isoformat())}), naming ",
                                             m.alias, highlight(m.evidence, m.start, m.end))
                                            for m, title, day in sorted(inputs.mentioned_by,
                                                                        key=lambda x: (-x[2].toordinal(), x[0].source))]),
            "related": _links([(url(paper_path(target)), title) for target, title in inputs.related], "<br>"),
        }

    def _topic(self, tid: str) -> PlannedPage:
        papers, topics, analysis, cited, topic_links = self.papers, self.topics, self.analysis, self.cited, self.topic_links
        topic = topics[tid]
        src = topic_path(tid)
        members = set(topic.papers)
        top_cited = sorted((p for p in topic.papers if cited[p]), key=lambda p: (-cited[p], p))[:10]
        per_day = Counter(chain.from_iterable([papers[p].dates for p in topic.papers]))
        by_name = {t.name: t for t in topics.values()}
        url = self.links.linker(src)
        newest = self._newest_first(members)
        near = ([(papers[p].title, url(paper_path(p)), "related") for p in
                 (top_cited + [p for p in newest if p not in top_cited])[:10]]
                + [(topics[o].name, url(topic_path(o)), "topic") for o, *_ in topic_links.get(tid, [])[:6]])
        return PlannedPage(src, "topic.md.j2", {
            "local_graph": Markup(local_svg(topic.name, near)) if near else None,
            "meta": {"title": topic.name, "description": topic.description, "feed": topic_feed_path(tid)},
            "feed_href": _href(src, topic_feed_path(tid)),
            "topic": topic,
            "parent": self._topic_ref(src, by_name[topic.parent].id) if topic.parent in by_name else None,
            "children": [self._topic_ref(src, t.id) for t in analysis.topics if t.parent == topic.name],
            "papers": _paper_items([(url(paper_path(p)), papers[p].title, f" <small>{papers[p].dates[0].isoformat()}</small>")
                                    for p in newest]),
            "most_mentioned": [dict(self._paper_ref(src, p), count=cited[p]) for p in top_cited],
            "related_topics": [dict(self._topic_ref(src, other), shared=shared, mentions=mentions)
                               for other, shared, mentions in topic_links.get(tid, [])[:8]],
            "per_day": [{"date": d.isoformat(), "url": url(day_path(d)), "count": n}
                        for d, n in sorted(per_day.items(), reverse=True)],
        })

    def _day(self, i: int) -> PlannedPage:
        return PlannedPage(day_path(self.days[i]), "day.md.j2", self._day_context(self._day_inputs(i)))

    def _day_inputs(self, i: int) -> DayInputs:
        papers, topics, paper_topics, days = self.papers, self.topics, self.analysis.paper_topics, self.days
        return DayInputs(
            day=days[i], previous=days[i - 1] if i > 0 else None, next=days[i + 1] if i + 1 < len(days) else None,
            papers=tuple([(p, papers[p].title, tuple([(t, topics[t].name) for t in paper_topics.get(p, ())]))
                          for p in self.by_day[days[i]]]),
            directory_urls=self.directory_urls,
        )

    def _day_context(self, inputs: DayInputs) -> dict[str, Any]:
        """A day page's context, from its inputs alone (and the links between pages, as for a
        paper's page)."""
        day, before, after = inputs.day, inputs.previous, inputs.next
        src = day_path(day)
        url = self.links.linker(src)
        return {
            "meta": {"title": f"Papers of {day.isoformat()}", "description": f"{len(inputs.papers)} papers listed on {day.isoformat()}"},
            "day": day.isoformat(),
            "previous": {"date": before.isoformat(), "href": _href(src, day_path(before))} if before else None,
            "next": {"date": after.isoformat(), "href": _href(src, day_path(after))} if after else None,
            "papers": _paper_items([(url(paper_path(p)), title, _topics_after(url, in_topics))
                                    for p, title, in_topics in sorted(inputs.papers, key=lambda row: (row[1].casefold(), row[0]))]),
        }

    def _days(self) -> PlannedPage:
        return PlannedPage("days/index.md", "days.md.j2", {
            "meta": {"title": "Days", "description": "Every day of the collection, month by month"},
            "months": _calendar(self.days, self.by_day),
            "feed_href": _href("days/index.md", feed_path()),
        })

    def _topics(self) -> PlannedPage:
        return PlannedPage("topics/index.md", "topics.md.j2", {
            "meta": {"title": "Topics", "description": "Every topic of the collection"},
            "topics": [dict(self._topic_ref("topics/index.md", t.id), keyphrases=t.keyphrases) for t in self.analysis.topics],
            "tags_href": _href("topics/index.md", "tags.md"),
        })

    def _tags(self) -> PlannedPage:
        return PlannedPage("tags.md", "tags.md.j2", {"meta": {"title": "Tags", "description": "Papers by topic tag",
                                                               "search": {"exclude": True}}})

    def _index(self) -> PlannedPage:
        papers, topics, analysis, days, by_day, cited = (self.papers, self.topics, self.analysis, self.days, self.by_day,
                                                         self.cited)
        paper_ref, topic_ref = self._paper_ref, self._topic_ref
        latest = days[-1] if days else None
        return PlannedPage("index.md", "index.md.j2", {
            "meta": {"title": "Home", "description": f"{len(papers)} papers, {len(days)} days, {len(topics)} topics"},
            "counts": {"papers": len(papers), "days": len(days), "topics": len(topics), "mentions": len(analysis.mentions)},
            "latest": {"date": latest.isoformat(), "href": _href("index.md", day_path(latest)),
                       "papers": [paper_ref("index.md", p) for p in sorted(by_day[latest], key=lambda p: (papers[p].title.casefold(), p))]}
            if latest else None,
            "topics": [topic_ref("index.md", t.id) for t in analysis.topics],
            "most_mentioned": [dict(paper_ref("index.md", p), count=n) for p, n in sorted(cited.items(), key=lambda kv: (-kv[1], kv[0]))[:10]],
            "links": {"days": _href("index.md", "days/index.md"), "topics": _href("index.md", "topics/index.md"),
                      "graph": _href("index.md", "graph.md"), "feed": _href("index.md", feed_path())},
        })

    def _graph(self) -> PlannedPage:
        papers, analysis, days, paper_ref = self.papers, self.analysis, self.days, self._paper_ref
        return PlannedPage("graph.md", "graph.md.j2", {
            "meta": {"title": "Graph", "description": "How the papers of the collection mention each other"},
            "root": "../" if self.directory_urls else "./",  # the site root, seen from the Graph page
            "counts": {"papers": len(papers), "mentions": len(analysis.mentions),
                       "related": sum(len(v) for v in analysis.related.values())},
            "mentions": [{"source": paper_ref("graph.md", m.source), "target": paper_ref("graph.md", m.target), "alias": m.alias}
                         for m in sorted(analysis.mentions, key=lambda m: (papers[m.target].title.casefold(), m.source))],
            "ambiguous": list(analysis.ambiguous),
            "picture": Markup(svg) if (svg := collection_svg(self.collection, analysis, seed=self.seed)) else None,
            "legend": [{"id": t.id, "name": t.name, "href": _href("graph.md", topic_path(t.id)),
                        "colour": Markup(topic_colours(analysis)[t.id])} for t in analysis.topics],
            "dates": {"first": days[0].isoformat() if days else "", "last": days[-1].isoformat() if days else ""},
        })


def _link(url: str, text: str, title: str | None = None) -> str:
    """``<a href="url">text</a>`` (with a ``title``, if any) as the templates wrote it: the URL
    and title escaped as their ``attr`` filter escapes an attribute, the text as they escape a
    value. For the lists the planner makes as HTML: a page's list in a template's loop, with a
    dict for each item, took longer than the rest of the page."""
    if title:
        return f'<a href="{_attribute(url)}" title="{_attribute(title)}">{_value(text)}</a>'
    return f'<a href="{_attribute(url)}">{_value(text)}</a>'


# Links and titles come back on page after page (a title in the related lists of a dozen
# others, on its day and its topics): each is escaped once per process, as the renderer does.
@functools.lru_cache(maxsize=1 << 16)
def _attribute(value: str) -> str:
    return html.escape(str.__str__(value), True)  # a Markup's own methods would make a Markup at each step


_value = functools.lru_cache(maxsize=1 << 16)(markdown_str)


def _links(rows: list[tuple], sep: str) -> Markup:
    """The links of (URL, text) or (URL, text, title) rows (:func:`_link`), joined by ``sep``."""
    return Markup(sep.join([_link(*row) for row in rows]))


def _mention_items(rows: list[tuple[str, str, str, str, Markup]]) -> Markup:
    """The ``<li>`` of each (URL, title, HTML before the name, name, highlighted evidence) of a
    paper's mentions or of the papers that mention it."""
    return Markup("".join([f"<li>{_link(url, title)}{before}<strong>{_value(alias)}</strong>: “{evidence}”</li>\n"
                           for url, title, before, alias, evidence in rows]))


def _paper_items(rows: list[tuple[str, str, str]]) -> Markup:
    """The ``<li>`` of each (URL, title, what follows the link) of a topic's or a day's list of
    papers (:func:`_link`); what follows is HTML made here (:func:`_topics_after`, or a date). At
    62,711 papers the 115 topic pages, made with the templates' loops, were 2.1 s of CPU of a
    daily build's pages, planned and rendered, and every one changes each day; the 60 day pages
    of 10,440 papers, 0.25 s of a first build's."""
    return Markup("".join([f"<li>{_link(url, title)}{after}</li>\n" for url, title, after in rows]))


def _topics_after(url: Callable[[str], str], in_topics) -> str:
    """A day page's links to a paper's topics ((id, name) pairs), after its title, as HTML."""
    if not in_topics:
        return ""
    return " <small>" + ", ".join([_link(url(topic_path(t)), name) for t, name in in_topics]) + "</small>"


def _calendar(days, by_day) -> list[dict]:
    """Months newest first, each as weeks of seven cells (Monday first) linking the listed days."""
    months = []
    for year, month in sorted({(d.year, d.month) for d in days}, reverse=True):
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for d in week:
                if d.month != month:
                    cells.append(None)
                elif d in by_day:
                    cells.append({"day": d.day, "href": _href("days/index.md", day_path(d)), "count": len(by_day[d])})
                else:
                    cells.append({"day": d.day, "href": None, "count": 0})
            weeks.append(cells)
        months.append({"name": f"{calendar.month_name[month]} {year}",
                       "count": sum(len(by_day[d]) for d in days if (d.year, d.month) == (year, month)),
                       "weeks": weeks})
    return months


def _citation(paper: Paper) -> tuple[str, str]:
    """BibTeX for a paper with an arXiv id, and a plain reference for every paper."""
    year = paper.date.year
    authors = list(paper.authors)
    plain_authors = ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    where = f"arXiv:{paper.arxiv_id}" if paper.arxiv_id else f"listed {paper.date.isoformat()}"
    ended = lambda part: part if part.endswith((".", "?", "!")) else part + "."  # "et al." takes no second dot
    plain = f"{ended(plain_authors) + ' ' if plain_authors else ''}{ended(paper.title)} {where}, {year}."
    if not paper.arxiv_id:
        return "", plain
    first = re.sub(r"[^a-z]", "", (authors[0].split()[-1] if authors else "paper").lower()) or "paper"
    word = next((w for w in re.findall(r"[a-z]+", paper.title.lower()) if len(w) > 3), "paper")
    braces = lambda t: t.replace("{", "(").replace("}", ")")
    lines = [f"@misc{{{first}{year}{word},",
             f"  title = {{{{{braces(paper.title)}}}}},"]
    if authors:
        lines.append(f"  author = {{{braces(' and '.join(authors))}}},")
    lines += [f"  year = {{{year}}},", f"  eprint = {{{paper.arxiv_id}}},", "  archivePrefix = {arXiv},"]
    if paper.categories:
        lines.append(f"  primaryClass = {{{braces(paper.categories[0])}}},")
    lines += [f"  url = {{https://arxiv.org/abs/{paper.arxiv_id}}}", "}"]
    return "\n".join(lines), plain


def _paper_meta(paper: Paper, topic_names: list[str]) -> dict:
    desc = paper.abstract if len(paper.abstract) <= 200 else paper.abstract[:197].rsplit(" ", 1)[0] + "…"
    return {"title": paper.title, "description": desc, "tags": topic_names}


def _topic_links(analysis: Analysis) -> dict[str, list[tuple[str, int, int]]]:
    """Topics joined by the papers they share and the mentions that cross between them."""
    where = analysis.paper_topics
    shared: Counter = Counter()
    crossing: Counter = Counter()
    for tids in where.values():
        for a in tids:
            for b in tids:
                if a != b:
                    shared[(a, b)] += 1
    for m in analysis.mentions:
        for a in where.get(m.source, ()):
            for b in where.get(m.target, ()):
                if a != b:
                    crossing[(a, b)] += 1
                    crossing[(b, a)] += 1
    out: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for a, b in sorted(set(shared) | set(crossing)):
        out[a].append((b, shared[(a, b)], crossing[(a, b)]))
    return {t: sorted(v, key=lambda x: (-(2 * x[1] + x[2]), x[0])) for t, v in out.items()}
