"""The daily routine: add a digest, check, build, follow the feeds, deploy."""
import json
import re
import shutil
import subprocess
import sys

import feedparser

from conftest import ROOT, mkdocs_build
from test_deploy import deploy, git_env

HF_DAY = [
    {"paper": {"id": "2508.04001", "title": "SlotDiff: Object-Centric Diffusion for Video Editing",
               "summary": "We propose SlotDiff, an object-centric diffusion model that edits videos. "
                          "Unlike CLIP-based editors, it keeps identities. Code: https://github.com/example/SlotDiff",
               "authors": [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}],
               "publishedAt": "2025-08-05T17:59:00.000Z", "upvotes": 42,
               "githubRepo": "https://github.com/example/SlotDiff", "ai_keywords": ["video editing", "diffusion"]}},
    {"paper": {"id": "2508.04002", "title": "Sparse Soups of Adapters",
               "summary": "We average LoRA adapters like model soups and study sparsity. It works on many tasks.",
               "authors": [{"name": "Grace Hopper"}], "publishedAt": "2025-08-05T12:00:00.000Z", "upvotes": 7}},
]


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "generator.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd)


def test_add_names_digests_by_date_and_refuses_to_replace_a_different_one(tmp_path):
    content = tmp_path / "content"
    page = tmp_path / "today.txt"
    shutil.copy(ROOT / "content/digests/2025-08-05.txt", page)
    no_year = cli("add", page, "--content", content)
    assert no_year.returncode == 1 and "--date" in no_year.stderr and "Traceback" not in no_year.stderr
    added = cli("add", page, "--content", content, "--date", "2025-08-05")
    assert added.returncode == 0 and (content / "digests/2025-08-05.txt").read_bytes() == page.read_bytes()
    assert cli("add", page, "--content", content, "--date", "2025-08-05").returncode == 0  # same file: fine
    api = tmp_path / "daily_papers.json"
    api.write_text(json.dumps(HF_DAY, indent=2))
    assert cli("add", api, "--content", content, "--date", "2025-08-06").returncode == 0
    assert (content / "digests/2025-08-06.json").exists()
    other = tmp_path / "other.json"
    other.write_text(json.dumps(HF_DAY[:1], indent=2))
    refused = cli("add", other, "--content", content, "--date", "2025-08-06")
    assert refused.returncode == 1 and "will not replace" in refused.stderr
    assert (content / "digests/2025-08-06.json").read_text() == api.read_text()


def test_check_validates_without_building(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    ok = cli("check", "--content", content)
    assert ok.returncode == 0 and "0 errors" in ok.stdout and not (tmp_path / "site").exists()
    (content / "digests/2025-08-07.txt").write_text("new\n\nAug 7\n\nA Title Only\n")
    bad = cli("check", "--content", content)
    assert bad.returncode == 1 and re.search(r"2025-08-07\.txt:5: title 'A Title Only' has no abstract", bad.stderr)
    (content / "settings.yml").write_text("colour: blue\n")
    wrong = cli("check", "--content", content)
    assert wrong.returncode == 2 and "unknown setting 'colour'" in wrong.stderr


def test_new_day_builds_with_feeds_cite_archive_and_chrome_then_deploys(bundled, tmp_path):
    env = git_env()
    project = tmp_path / "project"
    project.mkdir()
    shutil.move(str(bundled), project / "content")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    api = tmp_path / "2025-08-06.json"
    api.write_text(json.dumps(HF_DAY, indent=2))
    assert cli("add", api, "--content", project / "content").returncode == 0

    result = mkdocs_build(project / "content", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    # Feeds: valid Atom, newest first, one per topic, linked from every page's head.
    feed = feedparser.parse((site / "feeds/all.xml").read_bytes())
    assert not feed.bozo and feed.version == "atom10"
    assert feed.entries[0].title in {p["paper"]["title"] for p in HF_DAY}
    topic_feeds = list((site / "feeds/topics").glob("*.xml"))
    assert topic_feeds and all(not feedparser.parse(f.read_bytes()).bozo for f in topic_feeds)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'type="application/atom+xml"' in home and 'property="og:title"' in home
    # The new paper: arXiv links, BibTeX, upvotes and keywords, code link.
    slot = (site / "papers/2508-04001/index.html").read_text(encoding="utf-8")
    assert 'href="https://arxiv.org/abs/2508.04001"' in slot and 'href="https://arxiv.org/pdf/2508.04001"' in slot
    assert "@misc{lovelace2025slotdiff" in slot and "eprint = {2508.04001}" in slot
    assert "Upvotes: 42" in slot and "video editing" in slot
    # Archive: a calendar page, previous/next between days, home opening on the latest day.
    archive = (site / "days/index.html").read_text(encoding="utf-8")
    assert "August 2025" in archive and 'href="2025-08-06/"' in archive
    day = (site / "days/2025-08-06/index.html").read_text(encoding="utf-8")
    assert "2025-08-05" in day and 'href="../2025-08-05/"' in day
    assert "Latest: <a href=\"days/2025-08-06/\">2025-08-06</a>" in home
    # Footer and 404.
    assert "from 2 digests" in home and (site / "404.html").exists() and (site / "sitemap.xml").exists()

    files = deploy(project, tmp_path / "remote.git", env)
    assert {"papers/2508-04001/index.html", "feeds/all.xml", ".nojekyll", "graph.json"} <= files


def _listing(path, ids: range) -> None:
    """A day of arXiv listings (JSON lines), a paper for each of ``ids``."""
    words = "graph vision speech robot protein market language image policy sensor".split()
    path.write_text("".join(json.dumps({
        "id": f"2501.{i:05d}", "title": f"Study {i} of {words[i % 10]} {words[i // 10 % 10]} models",
        "summary": f"We study {words[i % 10]} and {words[i // 7 % 10]} with method number {i}. It works.",
        "authors": ["A. Author"], "categories": ["cs.LG"], "comment": "",
        "abs": f"https://arxiv.org/abs/2501.{i:05d}", "pdf": f"https://arxiv.org/pdf/2501.{i:05d}"}) + "\n"
        for i in ids), encoding="utf-8")


def test_the_site_feed_holds_every_paper_of_the_latest_day(tmp_path):
    """A day of arXiv listings brings hundreds of papers: a follower of the site's feed gets all
    of the latest day's, however many, and at least the 50 newest; a topic's feed its 50 newest."""
    from generator.build import build_site

    digests = tmp_path / "content" / "digests"
    digests.mkdir(parents=True)
    _listing(digests / "2025-01-06.jsonl", range(1, 56))
    _listing(digests / "2025-01-07.jsonl", range(101, 161))
    site = build_site(tmp_path / "content")
    entries = feedparser.parse(site.files["feeds/all.xml"].encode("utf-8")).entries
    assert len(entries) == 60 and all("/2501-001" in e.link for e in entries)
    assert all(len(feedparser.parse(site.files[f].encode("utf-8")).entries) <= 50
               for f in site.files if f.startswith("feeds/topics/"))

    (digests / "2025-01-07.jsonl").unlink()
    _listing(digests / "2025-01-07.jsonl", range(101, 106))
    entries = feedparser.parse(build_site(tmp_path / "content").files["feeds/all.xml"].encode("utf-8")).entries
    assert len(entries) == 50 and sum("/2501-001" in e.link for e in entries) == 5


def _feed_by_feedgen(collection, pids, *, title, subtitle, path, site_url, directory_urls, size):
    """A feed as feedgen writes it whole, entries and all: what the feeds were made as first."""
    import heapq
    import posixpath

    from feedgen.feed import FeedGenerator

    from generator.feeds import _ranks, _when

    base = site_url.rstrip("/") + "/" if site_url else ""
    up = posixpath.relpath(".", posixpath.dirname(path)) + "/"
    rank = _ranks(collection)
    newest = [collection.papers[p] for p in heapq.nsmallest(size, pids, key=rank.__getitem__)]
    fg = FeedGenerator()
    fg.id(base + path if base else f"urn:papersite:{path}")
    fg.title(title)
    fg.subtitle(subtitle or title)
    fg.link(href=base + path if base else posixpath.basename(path), rel="self")
    if base:
        fg.link(href=base, rel="alternate")
    import datetime as dt
    fg.updated(_when(newest[0].dates[-1] if newest else dt.date(1970, 1, 1)))
    fg.generator("papersite")
    for paper in reversed(newest):
        entry = fg.add_entry()
        page = f"papers/{paper.id}/" if directory_urls else f"papers/{paper.id}.html"
        url = f"{base}{page}" if base else f"{up}{page}"
        entry.id(url if base else f"urn:papersite:paper:{paper.id}")
        entry.title(paper.title)
        entry.link(href=url)
        entry.updated(_when(paper.dates[-1]))
        entry.published(_when(paper.dates[0]))
        entry.summary(paper.abstract)
        if paper.authors:
            entry.author([{"name": author} for author in paper.authors[:20]])
    return fg.atom_str(pretty=True).decode("utf-8")


def test_feeds_of_entries_made_once_or_kept_are_the_feeds_feedgen_writes_whole(tmp_path):
    """A feed is feedgen's text without entries with each entry's text where feedgen puts it: an
    entry made once for all the feeds that hold it, or kept from an earlier build while the paper
    is the same. The feeds are those feedgen writes whole: with and without the site's address,
    either URL style, for titles, abstracts and authors with XML's own characters, line breaks
    and accents, and after the same papers changed (their kept entries are not taken)."""
    import datetime as dt
    import random

    from generator.collection import build_collection
    from generator.feeds import FEED_SIZE, feed_path, feeds_and_entries, topic_feed_path
    from generator.model import PaperRecord, Topic

    rng = random.Random(7)
    words = ["a", "<b>", "&amp;", "]]>", "é", "\u2028", "line\nbreak", "x's", '"q"', "CLIP", "Σ"]

    def text(n):
        return " ".join(rng.choice(words) for _ in range(n))

    def records(title="", abstract="", author=""):
        return [PaperRecord(title=f"T{i} {text(4)}{title}", abstract=f"{text(30)}{abstract}", date=dt.date(2025, 3, 1 + i % 5),
                            path=f"{dt.date(2025, 3, 1 + i % 5)}.txt", line=i, arxiv_id=f"2503.{i:05d}",
                            authors=tuple(text(2) + author for _ in range(i % 25)))
                for i in range(1, 130)]

    known: dict = {}
    # The same papers again, then with another title, abstract, or authors.
    for edit in ({}, {}, {"title": " new"}, {"abstract": " new"}, {"author": " new"}):
        rng.seed(7)
        collection = build_collection(records(**edit))
        pids = list(collection.papers)
        topics = (Topic("t-one", "One & <two>", ("a",), tuple(pids[:70]), "about <a>"),
                  Topic("t-two", "Two", ("b",), tuple(pids[40:]), ""))
        for site_url in ("", "https://example.org/site/"):
            for directory_urls in (True, False):
                made, entries = feeds_and_entries(collection, topics, site_name="Lab <feeds>", site_url=site_url,
                                                  directory_urls=directory_urls, known=known)
                latest = max(p.dates[-1] for p in collection.papers.values())
                expected = {feed_path(): _feed_by_feedgen(
                    collection, pids, title="Lab <feeds>", subtitle="The newest papers of the collection",
                    path=feed_path(), site_url=site_url, directory_urls=directory_urls,
                    size=max(FEED_SIZE, sum(p.dates[-1] == latest for p in collection.papers.values())))}
                for topic in topics:
                    path = topic_feed_path(topic.id)
                    expected[path] = _feed_by_feedgen(collection, list(topic.papers), title=f"Lab <feeds>: {topic.name}",
                                                      subtitle=topic.description, path=path, site_url=site_url,
                                                      directory_urls=directory_urls, size=FEED_SIZE)
                assert made == expected
                known = {**known, **entries}
    assert len(known) > 300


def test_feed_entries_kept_by_other_versions_of_the_feed_writers_are_made_again(monkeypatch):
    """An entry's text is feedgen's and lxml's: one kept by a build with other versions of them is
    not taken."""
    import datetime as dt

    from generator import feeds
    from generator.collection import build_collection
    from generator.model import PaperRecord

    collection = build_collection([PaperRecord(title=f"Paper {i}", abstract="Text.", date=dt.date(2025, 3, 1),
                                               path="2025-03-01.txt", line=i) for i in range(1, 6)])
    made, entries = feeds.feeds_and_entries(collection, (), site_name="Lab")
    made_again = []
    real = feeds._entries
    monkeypatch.setattr(feeds, "_entries", lambda missing: made_again.append(len(missing)) or real(missing))
    assert feeds.feeds_and_entries(collection, (), site_name="Lab", known=entries) == (made, entries)
    assert made_again == [0]
    monkeypatch.setattr(feeds, "_writers", lambda: "feedgen 9, lxml 9")
    again, _ = feeds.feeds_and_entries(collection, (), site_name="Lab", known=entries)
    assert again == made and made_again == [0, 5]
