import json

import os

import pytest
from hypothesis import given, settings, strategies as st

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
    with pytest.raises(GeneratorError, match="outside"):
        write_tree(tmp_path / "out", {"/etc/evil.md": "x"})


def test_refuses_a_folder_that_links_outside_and_replaces_a_file_link_without_following_it(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "papers").symlink_to(elsewhere)
    with pytest.raises(GeneratorError, match="outside"):
        write_tree(tmp_path / "out", {"papers/a.md": "x"})
    assert list(elsewhere.iterdir()) == []
    (tmp_path / "out" / "papers").unlink()
    (elsewhere / "b.md").write_text("the author's")
    write_tree(tmp_path / "out", {"index.md": "old"})
    (tmp_path / "out" / "index.md").unlink()
    (tmp_path / "out" / "index.md").symlink_to(elsewhere / "b.md")  # ours by the manifest, now a link
    write_tree(tmp_path / "out", {"index.md": "new"})
    assert (elsewhere / "b.md").read_text() == "the author's"
    assert (tmp_path / "out" / "index.md").read_text() == "new" and not (tmp_path / "out" / "index.md").is_symlink()


def test_a_build_that_dies_while_writing_leaves_the_previous_output_intact(tmp_path, monkeypatch):
    import generator.output as output

    out = tmp_path / "out"
    write_tree(out, {"a.md": "old A", "b.md": "old B", "c.md": "old C"})
    calls = {"n": 0}
    real = output._stage

    def dying(path, data, **how):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")
        return real(path, data, **how)

    monkeypatch.setattr(output, "_stage", dying)
    with pytest.raises(KeyboardInterrupt):
        write_tree(out, {"a.md": "new A", "b.md": "new B", "c.md": "new C"})
    assert [(out / n).read_text() for n in ("a.md", "b.md", "c.md")] == ["old A", "old B", "old C"]
    assert not list(out.rglob(".papersite-tmp-*"))


def test_leftovers_of_a_killed_build_are_cleaned_and_nothing_else(tmp_path):
    """A build killed while it writes (here: the process ends at once, halfway through its
    temporary files, as on SIGKILL or a power cut) leaves them behind; the next build removes
    them, and only them."""
    import generator.output as output

    out = tmp_path / "out"
    write_tree(out, {"a.md": "A", "sub/b.md": "B"})
    (out / "notes.txt").write_text("the author's")
    pid = os.fork()
    if pid == 0:  # the build that is killed
        real, calls = output._stage, []

        def dying(path, data, **how):
            calls.append(path)
            if len(calls) == 2:
                os._exit(9)
            return real(path, data, **how)

        output._stage = dying
        try:
            write_tree(out, {"a.md": "new A", "sub/b.md": "new B", "sub/c.md": "new C"})
        finally:
            os._exit(0)
    assert os.waitpid(pid, 0)[1] >> 8 == 9
    left = sorted(p.name for p in out.rglob(".papersite-tmp-*"))
    assert ".papersite-tmp-a.md" in left and len(left) == 2  # one page, and the mark of writing
    assert [(out / n).read_text() for n in ("a.md", "sub/b.md")] == ["A", "B"]

    write_tree(out, {"a.md": "A"})
    assert not list(out.rglob(".papersite-tmp-*"))
    assert (out / "notes.txt").read_text() == "the author's"


def test_a_build_that_was_not_killed_does_not_look_for_leftovers(tmp_path, monkeypatch):
    """Walking the whole output for temporary files is left to the build after a killed one."""
    import generator.output as output

    out = tmp_path / "out"
    write_tree(out, {"a.md": "A"})
    assert not list(out.rglob(".papersite-tmp-*"))
    monkeypatch.setattr(output, "_clean_temps", lambda out: pytest.fail("looked for leftovers"))
    write_tree(out, {"a.md": "A2", "b.md": "B"})
    write_tree(out, {"a.md": "A2", "b.md": "B"})
    assert not list(out.rglob(".papersite-tmp-*"))


def test_an_identical_file_that_was_there_before_is_never_claimed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "same.md").write_text("S")
    write_tree(out, {"same.md": "S", "a.md": "A"})
    write_tree(out, {"a.md": "A"})  # same.md is no longer generated: still not ours to delete
    assert (out / "same.md").read_text() == "S"


def test_cleaning_leftovers_does_not_follow_a_folder_link_out_of_the_output(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".papersite-tmp-notes.md").write_text("the author's, whatever its name")
    out = tmp_path / "out"
    out.mkdir()
    (out / "linked").symlink_to(elsewhere, target_is_directory=True)
    write_tree(out, {"index.md": "# hi\n"})
    assert (elsewhere / ".papersite-tmp-notes.md").read_text() == "the author's, whatever its name"


def test_a_page_whose_utf8_is_given_is_written_without_its_text_being_asked_for(bundled, tmp_path):
    """The command line writes the pages' UTF-8 (made where they were rendered) and never has a
    page's text decoded: the site's files decode a page only when it is asked for."""
    from generator.build import SiteFiles, build_site
    from generator.output import content_hash

    site = build_site(bundled, cache=None)
    assert isinstance(site.files, SiteFiles) and site.encoded

    class Guarded(SiteFiles):
        def __getitem__(self, path):
            assert path not in site.encoded, f"the text of {path} was asked for"
            return super().__getitem__(path)

    texts = {path: site.files[path] for path in site.files if path not in site.encoded}
    pages = {path: data for path, (data, _) in site.encoded.items()}
    assert list(SiteFiles(texts, pages).items()) == list(site.files.items())  # the same texts, in the same order
    write_tree(tmp_path / "out", Guarded(texts, pages), encoded=site.encoded)
    for path, (data, mark) in site.encoded.items():
        assert (tmp_path / "out" / path).read_bytes() == data and content_hash(data) == mark


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=())), unique=True, max_size=6), st.data())
def test_the_manifest_is_the_json_the_standard_encoder_writes(files, data):
    """The manifest's text is made by hand for speed: it must be exactly ``json.dumps`` with an
    indent of one, for any paths (quotes, control characters, non-ASCII, lone surrogates)."""
    from generator.output import _manifest_text

    records = {rel: data.draw(st.text(st.characters(exclude_categories=()))) for rel in files if data.draw(st.booleans())}
    expected = json.dumps({"generator": "papersite", "files": files, "records": records}, indent=1) + "\n"
    assert _manifest_text(files, records) == expected


@pytest.mark.parametrize("rel", ["papers/", "/papers/a.md", "../a.md", "papers/../../a.md", "a//b.md", "./a.md",
                                 "papers/.papersite-tmp-a.md", ".papersite-manifest.json", "a/./.papersite-manifest.json"])
def test_paths_that_are_not_plain_are_checked_part_by_part(tmp_path, rel):
    """Plain paths take a quick way through the writer's checks; any other is split and checked
    (a path that names a folder is refused, where it used to fail on writing)."""
    from generator.output import _parts

    parts = _parts(rel)
    refused = (not parts or rel.startswith("/") or rel.endswith("/") or ".." in parts
               or parts[-1].startswith(".papersite-tmp-") or "/".join(parts) == MANIFEST)
    if refused:
        with pytest.raises(GeneratorError):
            write_tree(tmp_path / "out", {rel: "x"})
    else:
        write_tree(tmp_path / "out", {rel: "x"})
        assert (tmp_path / "out" / "/".join(parts)).read_text() == "x"


def test_the_mark_of_writing_is_never_made_through_a_link(tmp_path):
    """A link in the output under the mark's name (ours by name, like any temporary file) is
    removed, not followed: nothing is created where it leads."""
    out = tmp_path / "out"
    out.mkdir()
    (out / ".papersite-tmp-writing").symlink_to(tmp_path / "elsewhere.txt")  # leads nowhere yet
    write_tree(out, {"a.md": "A"})
    assert not (tmp_path / "elsewhere.txt").exists() and not os.path.lexists(out / ".papersite-tmp-writing")
    assert (out / "a.md").read_text() == "A"
