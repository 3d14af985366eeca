"""Same input, same output, byte for byte."""
import subprocess
import sys

from conftest import ROOT, digest, mkdocs_build

SECOND = digest("Aug 6", ("Matryoshka Representation Learning", "Listed again. We show it works."),
                ("Nested Codes for Retrieval", "We adapt Matryoshka Representation Learning to retrieval. It is fast."))


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generated_tree_does_not_depend_on_file_order(tmp_path):
    outs = []
    for order in (("2025-08-05.txt", "2025-08-06.txt"), ("2025-08-06.txt", "2025-08-05.txt")):
        content = tmp_path / f"content-{order[0]}" / "content"
        (content / "digests").mkdir(parents=True)
        for name in order:  # files created in a different order: directory listings differ
            text = (ROOT / "content/digests/2025-08-05.txt").read_text() if name.endswith("05.txt") else SECOND
            (content / "digests" / name).write_text(text, encoding="utf-8")
        out = content.parent / "out"
        result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--content", str(content),
                                 "--out", str(out)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        outs.append(tree(out))
    assert outs[0] == outs[1]
    assert len(outs[0]) > 70


def test_two_mkdocs_builds_are_byte_identical(bundled, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1754352000")
    a = mkdocs_build(bundled, tmp_path / "a")
    b = mkdocs_build(bundled, tmp_path / "b")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
