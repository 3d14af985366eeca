import pytest

from generator.errors import GeneratorError
from generator.output import MANIFEST, write_tree


def test_writes_files_and_a_manifest_and_keeps_unchanged_files(tmp_path):
    out = tmp_path / "out"
    first = write_tree(out, {"a.md": "A", "sub/b.md": "B"})
    assert sorted(first.written) == ["a.md", "sub/b.md"]
    assert (out / MANIFEST).exists()
    mtime = (out / "a.md").stat().st_mtime_ns
    second = write_tree(out, {"a.md": "A", "sub/b.md": "B2"})
    assert second.written == ("sub/b.md",) and second.unchanged == ("a.md",)
    assert (out / "a.md").stat().st_mtime_ns == mtime


def test_removes_only_what_it_made(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("the author's")
    write_tree(out, {"a.md": "A", "old/b.md": "B"})
    report = write_tree(out, {"a.md": "A"})
    assert report.removed == ("old/b.md",)
    assert not (out / "old").exists()
    assert (out / "mine.txt").read_text() == "the author's"


def test_never_overwrites_a_file_it_did_not_create(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.md").write_text("hand written")
    with pytest.raises(GeneratorError, match="did not create"):
        write_tree(out, {"index.md": "generated"})
    assert (out / "index.md").read_text() == "hand written"


def test_refuses_paths_outside_the_folder(tmp_path):
    with pytest.raises(GeneratorError, match="outside"):
        write_tree(tmp_path / "out", {"../evil.md": "x"})
