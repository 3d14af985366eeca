"""Property tests: the escaping and slug functions hold for any text, not only the examples."""
import html
import re

import markdown
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.escape import markdown_text, safe_url, yaml_front_matter
from generator.slugs import MAX_SLUG, slugify
from generator.text import clean_text

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_escaped_text_renders_as_one_paragraph_of_the_same_text(text):
    line = clean_text(text)
    rendered = markdown.markdown(str(markdown_text(line)), extensions=["tables", "toc"])
    if not line:
        return
    assert rendered.startswith("<p>") and rendered.endswith("</p>")
    inner = rendered[3:-4]
    assert "<" not in inner.replace("&lt;", "")  # no element of any kind inside
    assert html.unescape(inner) == line


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_front_matter_round_trips_any_title(title, description):
    block = str(yaml_front_matter({"title": title, "description": description}))
    assert block.startswith("---\n") and block.endswith("---\n")
    data = yaml.safe_load(block[4:-4])
    assert html.unescape(data["title"]) == title and html.unescape(data["description"]) == description
    assert "<" not in data["title"] and '"' not in data["title"]


@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_slugs_are_safe_bounded_and_stable(text):
    slug = slugify(text)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug)
    assert len(slug) <= MAX_SLUG + 9
    assert slug not in {"con", "prn", "aux", "nul", "index"}
    assert slugify(text) == slug


@given(st.text(max_size=60))
def test_only_http_urls_survive(url):
    safe = safe_url(url)
    if safe is not None:
        assert re.match(r"https?://", safe, re.I)
        assert not re.search(r"[\s<>()\[\]\"`]", safe)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TEXT, st.lists(TEXT, max_size=4), st.lists(TEXT, max_size=3), st.lists(TEXT, max_size=2)),
                max_size=4))
def test_topic_lock_reads_back_what_it_wrote(items):
    """The lock is written and read by libyaml when PyYAML has it: any topic name or paper id
    or key phrase reads back unchanged. (A daily build takes the topics of a lock it wrote from
    the build cache, without reading the file: this is what makes that the same.)"""
    import tempfile
    from pathlib import Path

    from generator.topicfiles import LOCK_FILE, LockedTopic, lock_text, read_lock

    topics = tuple(LockedTopic(f"t{i}", name, tuple(papers), tuple(also), tuple(phrases))
                   for i, (name, papers, phrases, also) in enumerate(items))
    text = lock_text(topics)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / LOCK_FILE).write_text(text, encoding="utf-8")
        assert read_lock(Path(folder)) == topics


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7f), max_size=60) | TEXT)
def test_cleaning_plain_text_the_short_way_gives_what_every_step_gives(text):
    """Printable ASCII skips the steps that cannot change it; the result is theirs all the same."""
    from generator.text import _clean

    assert clean_text(text) == _clean(text)

