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
@given(st.text(alphabet=st.characters(max_codepoint=0x7f), max_size=60) | TEXT
       | st.lists(st.sampled_from(["word", "A-1.", " ", "\n", "\t", "\r", "\x0b", "\x1f", "\\'e"]), max_size=20).map("".join))
def test_cleaning_plain_text_the_short_way_gives_what_every_step_gives(text):
    """Printable ASCII skips the steps that cannot change it, and a hard-wrapped text of single
    spaces only has its breaks made spaces; the result is theirs all the same."""
    from generator.text import _clean

    assert clean_text(text) == _clean(text)



# Values near the edge of what YAML writes plain: numbers, dates, booleans, indicators.
_YAML_EDGE = st.one_of(
    st.text(alphabet="0123456789-._ ':#()/aAbBeExXyYnNoOtT+", max_size=12),
    st.sampled_from(["yes", "No", "TRUE", "off", "null", "y", "0x1F", "0b101", "2025-08-05", "2503-12515", "1_000",
                     "1.5", ".inf", "1e5", "v1.5", "a: b", "a #b", "-a", "a ", "x" * 81, "x" * 80, "a  b", "é",
                     "word " * 19 + "end", "a " * 40 + "b"]),
    st.from_regex(r"\A[0-9]{4}-[0-9]{4,5}(v[0-9])?\Z"),
    st.from_regex(r"\A[A-Za-z][a-z]{0,8}(?: [a-z']{1,8}){0,3}\Z"))


@settings(max_examples=1000, deadline=None)
@given(_YAML_EDGE)
def test_a_value_judged_plain_is_written_by_yaml_as_it_is(value):
    """What :func:`.topicfiles._plain` lets through, YAML writes as it is, as a list item and as a
    mapping's value, and reads back as the same string."""
    import yaml

    from generator.topicfiles import _dumper, _plain

    if _plain(value):
        assert yaml.dump([value], Dumper=_dumper(), allow_unicode=False, width=100) == f"- {value}\n"
        assert yaml.dump({"name": value}, Dumper=_dumper(), allow_unicode=False, width=100) == f"name: {value}\n"
        assert yaml.safe_load(f"name: {value}\n") == {"name": value}


_PLAIN_ID = st.from_regex(r"\A[0-9]{4}-[0-9]{4,5}\Z")
_LOCK_VALUE = st.one_of(_PLAIN_ID, _YAML_EDGE, TEXT)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_LOCK_VALUE, _LOCK_VALUE, st.lists(_LOCK_VALUE, min_size=1, max_size=4),
                          st.lists(_LOCK_VALUE, max_size=3), st.lists(_LOCK_VALUE, max_size=2)), min_size=1, max_size=3))
def test_the_topic_lock_written_line_by_line_is_what_yaml_writes(items):
    """The lock is written line by line, plain values as they are and the others as YAML writes
    them in their place: the text ``yaml.dump`` writes, for any ids, names and phrases (arXiv ids,
    values near YAML's edges, any text)."""
    import yaml

    from generator.topicfiles import LockedTopic, _dumper, _plain_lock, lock_text

    topics = tuple(LockedTopic(tid, name, tuple(papers), tuple(also), tuple(phrases))
                   for tid, name, papers, phrases, also in items)
    body = yaml.dump({"version": 1, "topics": [
        {"id": t.id, "name": t.name, **({"phrases": list(t.phrases)} if t.phrases else {}), "papers": list(t.papers),
         **({"also": list(t.also)} if t.also else {})} for t in topics]},
        Dumper=_dumper(), sort_keys=False, allow_unicode=False, width=100)
    assert _plain_lock(topics) == body
    assert lock_text(topics).endswith("\n" + body)


def test_a_lock_of_arxiv_ids_and_discovered_topics_is_written_line_by_line():
    from generator.topicfiles import LockedTopic, _plain, _plain_lock

    topics = (LockedTopic("activity-recognition", "Activity recognition", ("2503-12515", "2503-12519v2"),
                          ("2503-13429",), ("activity recognition", "alzheimer's disease", "xai")),
              LockedTopic("3d-gaussian-splatting", "3D Gaussian splatting (3DGS)", ("2504-00001",)))
    assert _plain_lock(topics) is not None
    assert _plain("2503-12515") and _plain("Activity recognition") and _plain("alzheimer's disease")
