"""End to end: real ``mkdocs build --strict`` runs and the CLI."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx

from conftest import ROOT, digest, mkdocs_build

CLIP_PAGE = "papers/learning-transferable-visual-models-from-natural-language-supervision/index.html"


def test_bundled_digest_builds_a_strict_clean_site(bundled, tmp_path):
    site = tmp_path / "site"
    result = mkdocs_build(bundled, site)
    assert result.returncode == 0, result.stderr
    papers = sorted(p for p in (site / "papers").glob("*/index.html"))
    assert len(papers) == 65
    assert (site / "index.html").exists() and (site / "graph/index.html").exists()
    assert (site / "days/2025-08-05/index.html").exists()
    topics = list((site / "topics").glob("*/index.html"))
    assert len(topics) >= 5
    # The paper that introduced CLIP lists who mentions it, with the evidence sentence.
    clip = (site / CLIP_PAGE).read_text(encoding="utf-8")
    assert "Also known as" in clip and "CLIP" in clip
    mentioned_by = clip.split('id="mentioned-by"', 1)[1].split('id="related-papers"', 1)[0]
    assert "Additionally, we fine-tuned the <mark>CLIP</mark> model" in mentioned_by
    assert 'href="../rs5m-and-georsclip' in mentioned_by
    # The digest files are content, not published pages; nor is Material's tags.json (nothing reads it).
    assert not (site / "digests").exists() and not (site / "tags.json").exists()
    assert (site / "tags/index.html").exists()
    graph = nx.node_link_graph(json.loads((site / "graph.json").read_text(encoding="utf-8")))
    assert sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "paper") == 65
    # Aliases are searchable: the search index has the CLIP paper with its alias.
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    clip_docs = [d for d in index["docs"] if d["location"].startswith("papers/learning-transferable")]
    assert any("CLIP" in d["text"] for d in clip_docs)
    # Paper pages stay out of the navigation, so every page does not carry the whole site.
    assert clip.count("papers/") < 40


def test_a_bad_record_is_reported_with_file_and_line_and_the_rest_builds(bundled, tmp_path):
    text = (bundled / "digests/2025-08-05.txt").read_text(encoding="utf-8")
    (bundled / "digests/2025-08-05.txt").write_text(text.rstrip() + "\n\nA Title Cut Off Here\n", encoding="utf-8")
    result = mkdocs_build(bundled, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert re.search(r"2025-08-05\.txt:\d+: title 'A Title Cut Off Here' has no abstract", result.stderr)
    assert len(list((tmp_path / "site/papers").glob("*/index.html"))) == 65


def test_second_digest_accumulates_and_urls_stay(bundled, tmp_path):
    before = mkdocs_build(bundled, tmp_path / "a")
    assert before.returncode == 0, before.stderr
    (bundled / "digests/2025-08-06.txt").write_text(digest(
        "Aug 6",
        ("Matryoshka Representation Learning", "Representations that nest, listed again on a second day. We show it works."),
        ("Nested Codes for Retrieval", "We adapt Matryoshka Representation Learning to retrieval. It is fast and small."),
    ), encoding="utf-8")
    after = mkdocs_build(bundled, tmp_path / "b")
    assert after.returncode == 0, after.stderr
    old = {p.relative_to(tmp_path / "a") for p in (tmp_path / "a/papers").glob("*/index.html")}
    new = {p.relative_to(tmp_path / "b") for p in (tmp_path / "b/papers").glob("*/index.html")}
    assert old < new and len(new) == 66
    mrl = (tmp_path / "b/papers/matryoshka-representation-learning/index.html").read_text(encoding="utf-8")
    assert "2025-08-05" in mrl and "2025-08-06" in mrl
    assert "Nested Codes for Retrieval" in mrl  # it names MRL by its title


def test_cli_writes_markdown_tree_and_graph(bundled, tmp_path):
    out = tmp_path / "out"
    # Output to a pipe is buffered (unless PYTHONUNBUFFERED is set): the command ends its process
    # without the usual tear-down (cli._hard_exit), and its report must still arrive in full.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--content", str(bundled),
                             "--out", str(out)], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "65 papers" in result.stdout and result.stdout.endswith(f"into {out}\n")
    assert len(list((out / "papers").glob("*.md"))) == 65
    assert (out / "index.md").exists() and (out / "graph.md").exists() and (out / "graph.json").exists()
    again = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--content", str(bundled),
                            "--out", str(out)], capture_output=True, text=True)
    assert "0 removed" in again.stdout and "wrote 0 files" in again.stdout


def test_cli_reports_a_folder_without_digests(tmp_path):
    (tmp_path / "content").mkdir()
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--content", str(tmp_path / "content"),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 2
    assert "no digests found" in result.stderr and "Traceback" not in result.stderr


def test_ambiguous_names_are_reported_in_the_build_summary(tmp_path):
    from conftest import digest

    content = tmp_path / "content"
    (content / "digests").mkdir(parents=True)
    (content / "digests/2025-08-05.txt").write_text(digest(
        "Aug 5",
        ("DINO: Self-Distillation With No Labels", "We propose self-distillation with no labels (DINO) for vision."),
        ("DINO: DETR with Improved Denoising Anchor Boxes", "We present an end-to-end detector."),
        ("Comparison Study", "We compare against DINO on our benchmark of many things."),
    ), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--content", str(content),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "ambiguous names not linked: DINO" in result.stdout
    graph = (tmp_path / "out/graph.md").read_text(encoding="utf-8")
    assert "Names left unlinked" in graph and "DINO" in graph


def test_an_empty_or_foreign_file_is_one_clear_error_and_a_non_zero_exit(bundled, tmp_path):
    (bundled / "digests/2025-08-07.txt").write_bytes(b"")
    (bundled / "digests/notes.pdf").write_bytes(b"%PDF-1.4\x00\x01")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--content", str(bundled),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(r"2025-08-07\.txt:1: no papers found", result.stderr)
    assert re.search(r"notes\.pdf:1: unsupported digest format '\.pdf'", result.stderr)
    assert len(list((tmp_path / "out/papers").glob("*.md"))) == 65  # the good digest still built
    only_empty = tmp_path / "empty"
    (only_empty / "digests").mkdir(parents=True)
    (only_empty / "digests/2025-08-07.txt").write_text("\n\n")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--content", str(only_empty),
                             "--out", str(tmp_path / "out2")], capture_output=True, text=True)
    assert result.returncode == 2 and "no readable papers" in result.stderr and "Traceback" not in result.stderr


def test_a_site_without_directory_urls_has_no_broken_link(bundled, tmp_path):
    """Paper pages link in raw HTML with final URLs, so they must follow use_directory_urls."""
    config = tmp_path / "mkdocs.yml"
    config.write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "docs_dir: content", "docs_dir: content\nuse_directory_urls: false"), encoding="utf-8")
    site = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (site / "papers" / "learning-transferable-visual-models-from-natural-language-supervision.html").is_file()
    assert json.loads((site / "graph.json").read_text())["nodes"][0]["url"].endswith(".html")
    lychee = Path(sys.executable).with_name("lychee")
    check = subprocess.run([str(lychee), "--offline", "--include-fragments", "--no-progress", "--index-files",
                            "index.html", "--root-dir", str(site), str(site)], capture_output=True, text=True)
    assert check.returncode == 0 and re.search(r"\b0 Errors", check.stdout + check.stderr), check.stdout[-3000:]


def test_plain_reference_ends_each_part_with_one_full_stop():
    import datetime as dt

    from generator.model import Paper
    from generator.site import _citation

    def paper(title, authors):
        return Paper("x", title, "An abstract.", (dt.date(2025, 8, 5),), ("d.txt:1",), arxiv_id="2508.00001",
                     authors=authors)

    _, plain = _citation(paper("What Makes a Good Prompt?", ("A. One", "B. Two", "C. Three", "D. Four")))
    assert plain == "A. One, B. Two, C. Three et al. What Makes a Good Prompt? arXiv:2508.00001, 2025."
    _, plain = _citation(paper("Plain Title", ("A. One",)))
    assert plain == "A. One. Plain Title. arXiv:2508.00001, 2025."
