"""CI runs the benchmark in its smallest form: the command works on the real corpus and prints
its table. Timing targets live in bench/, not in tests."""
import subprocess
import sys

import pytest

from conftest import ROOT

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-daily"


@pytest.mark.skipif(not any(CORPUS.glob("*.jsonl.xz")), reason="the shared arXiv corpus is not beside the project")
def test_benchmark_smoke_prints_the_table():
    result = subprocess.run([sys.executable, "-m", "bench.run", "--smoke"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["days", "papers", "generator", "s", "ms/paper", "peak", "MB"]
    assert int(lines[1].split()[1]) > 300  # two real days
    assert "add day s" in result.stdout and "rewritten" in result.stdout


def test_a_rebuild_from_scratch_equals_the_incremental_result(tmp_path):
    """Build two days, add a third and build again (reusing the cache of the first build); then
    rebuild everything from scratch, without the cache, into a new folder (same digests, same
    topic lock): the trees are identical."""

    from bench.corpus import content_folder, days

    if not any(CORPUS.glob("*.jsonl.xz")):
        pytest.skip("the shared arXiv corpus is not beside the project")
    files = days(3)
    content = content_folder(files[:2], tmp_path)
    out = tmp_path / "out"
    cli = [sys.executable, "-m", "generator.cli", "build", "--content", str(content)]
    assert subprocess.run(cli + ["--out", str(out)], capture_output=True).returncode == 0
    (content / "digests" / files[2].name).symlink_to(files[2])
    second = subprocess.run(cli + ["--out", str(out)], capture_output=True, text=True)
    assert second.returncode == 0 and "unchanged" in second.stdout
    assert {p.name for p in (tmp_path / ".cache" / "papersite").iterdir()} == {
        "digests.pickle", "collection.pickle", "names.pickle", "terms.pickle", "vectors.pickle", "rows.pickle",
        "neighbours.pickle", "reasons.pickle", "words.pickle", "mentions.pickle", "pages.pickle", "pages.blob",
        "lock.pickle", "templates.pickle", "feeds.pickle",
        "names.1.pickle", "terms.1.pickle"}  # the day's own segments (its digest is added to the collection)
    fresh = tmp_path / "fresh"
    assert subprocess.run(cli + ["--out", str(fresh), "--no-cache"], capture_output=True).returncode == 0

    def tree(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    assert tree(out) == tree(fresh)


def test_a_build_large_enough_for_worker_processes_equals_a_build_in_one_process(tmp_path):
    """Past 2,000 papers reading, analysis and rendering fork workers and run steps side by side;
    the site is the same as when everything runs in one process."""
    import os

    from bench.corpus import content_folder, days

    if not any(CORPUS.glob("*.jsonl.xz")):
        pytest.skip("the shared arXiv corpus is not beside the project")
    content = content_folder(days(12), tmp_path)
    cli = [sys.executable, "-m", "generator.cli", "build", "--content", str(content), "--no-cache"]
    forked = subprocess.run(cli + ["--out", str(tmp_path / "forked")], capture_output=True, text=True)
    assert forked.returncode == 0, forked.stderr
    assert int(forked.stdout.split(" papers", 1)[0].rsplit("\n", 1)[-1]) > 2000
    (content / "topics.lock.yml").unlink()  # the second build must discover topics afresh too
    alone = subprocess.run(cli + ["--out", str(tmp_path / "alone")], capture_output=True, text=True,
                           env={**os.environ, "PAPERSITE_WORKERS": "1"})
    assert alone.returncode == 0, alone.stderr

    def tree(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    assert tree(tmp_path / "forked") == tree(tmp_path / "alone")
