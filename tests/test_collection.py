import datetime as dt

from hypothesis import given, settings, strategies as st

from generator.collection import build_collection, collect, extend
from generator.model import PaperRecord


def rec(title, date, abstract="An abstract.", path="d.txt", line=1, **kw):
    return PaperRecord(title=title, abstract=abstract, date=date, path=path, line=line, **kw)


D1, D2 = dt.date(2025, 8, 5), dt.date(2025, 8, 6)


def test_same_paper_on_two_days_is_one_page_listing_both():
    c = build_collection([rec("GIST: Generating Text", D1, "old"), rec("GIST:  generating text", D2, "new", path="e.txt", line=7)])
    (paper,) = c.papers.values()
    assert paper.dates == (D1, D2)
    assert paper.abstract == "new"  # the newest listing's text
    assert paper.sources == ("d.txt:1", "e.txt:7")
    assert paper.id == "gist-generating-text"


def test_ids_do_not_change_when_a_digest_is_added_and_do_not_depend_on_order():
    first = build_collection([rec("Alpha Paper", D1), rec("Beta Paper", D1)])
    more = build_collection([rec("Gamma Paper", D2), rec("Beta Paper", D1), rec("Alpha Paper", D1)])
    assert set(first.papers) <= set(more.papers)
    assert list(more.papers) == sorted(more.papers)


def test_titles_that_differ_only_in_symbols_get_distinct_stable_ids():
    a = build_collection([rec("C++ vs C#", D1)])
    both = build_collection([rec("C vs C", D1), rec("C++ vs C#", D1)])
    assert len(both.papers) == 2
    assert set(a.papers) < set(both.papers)


def test_arxiv_id_gives_the_id_and_merges_versions():
    c = build_collection([rec("A", D1, arxiv_id="2501.01234v1"), rec("A (revised)", D2, arxiv_id="2501.01234v2")])
    assert list(c.papers) == ["2501-01234"]
    assert c.papers["2501-01234"].dates == (D1, D2)


def _merged_in_general(records, slug):
    """The merge as written for any number of listings (before a paper listed once had a path
    of its own), the reference for that path."""
    from generator.model import Paper

    records = sorted(records, key=lambda r: (r.date, r.path, r.line))
    latest = records[-1]
    links = []
    for r in reversed(records):
        for url in r.links:
            if url not in links:
                links.append(url)
    return Paper(
        id=slug, title=latest.title, abstract=latest.abstract, dates=tuple(sorted({r.date for r in records})),
        sources=tuple(f"{r.path}:{r.line}" for r in records),
        arxiv_id=next((r.arxiv_id for r in reversed(records) if r.arxiv_id), None),
        authors=latest.authors or next((r.authors for r in reversed(records) if r.authors), ()),
        categories=latest.categories or next((r.categories for r in reversed(records) if r.categories), ()),
        links=tuple(links), upvotes=max((r.upvotes for r in records if r.upvotes is not None), default=None),
        keywords=latest.keywords or next((r.keywords for r in reversed(records) if r.keywords), ()))


def test_a_paper_listed_once_is_merged_as_the_general_case_merges_it():
    from hypothesis import given, settings, strategies as st

    from generator.collection import _merge

    words = st.text(alphabet="ab :/", max_size=6)
    urls = st.lists(st.sampled_from(["https://a.org", "https://b.org/x", "https://a.org/"]), max_size=4)

    @settings(max_examples=200, deadline=None)
    @given(arxiv=st.sampled_from([None, "", "2501.00001v2"]), authors=st.lists(words, max_size=2).map(tuple),
           categories=st.lists(words, max_size=2).map(tuple), links=urls.map(tuple),
           upvotes=st.sampled_from([None, 0, 7]), keywords=st.lists(words, max_size=2).map(tuple))
    def check(arxiv, authors, categories, links, upvotes, keywords):
        record = rec("A Title", D1, arxiv_id=arxiv, authors=authors, categories=categories, links=links,
                     upvotes=upvotes, keywords=keywords)
        assert _merge("key", [record], "a-title") == _merged_in_general([record], "a-title")

    check()


# Listings drawn from a small pool of papers, so that papers come back on later days, with and
# without arXiv ids, authors, links and votes, and titles whose slugs collide ("x y" and "x_y").
_TITLES = ["Alpha Net", "alpha net", "C++ vs C#", "C vs C", "Beta: A Model", "x y", "x_y", "Delta Loss"]
_listing = st.builds(
    lambda title, arxiv, abstract, authors, links, votes, keywords: dict(
        title=title, arxiv_id=arxiv, abstract=abstract, authors=authors, links=links, upvotes=votes, keywords=keywords),
    st.sampled_from(_TITLES), st.sampled_from([None, "", "2501.00001v1", "2501.00001v2", "2502.00002"]),
    st.sampled_from(["one", "two", ""]), st.sampled_from([(), ("A. Author",), ("B. Author", "C. Author")]),
    st.sampled_from([(), ("https://a.example",), ("https://b.example", "https://a.example")]),
    st.sampled_from([None, 0, 3, 12]), st.sampled_from([(), ("k",)]))


def _day(listings, day):
    date = dt.date(2025, 8, 1) + dt.timedelta(days=day)
    return [rec(path=f"digests/{date}.jsonl", line=i + 1, date=date, **listing) for i, listing in enumerate(listings)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_listing, max_size=6), min_size=2, max_size=5), st.integers(1, 4))
def test_adding_days_to_a_collection_gives_what_collecting_them_all_gives(days, split):
    """``extend`` adds later digests to what ``collect`` made of the earlier ones: the same
    collection and index as collecting every record, or None where it cannot tell."""
    records = [_day(listings, i) for i, listings in enumerate(days)]
    early = [r for day in records[:split] for r in day]
    late = [r for day in records[split:] for r in day]
    whole = collect(early + late)
    added = extend(*collect(early), late)
    if added is not None:
        assert added == whole
    if all(r.arxiv_id for r in early + late) or not ({"x y", "x_y"} & {r.title for r in early + late}):
        # No slug of a new paper can be an earlier one's, and every listing is newer: added.
        assert added is not None


def test_a_digest_of_an_earlier_day_added_later_is_not_added_to_the_collection():
    early = [rec("Alpha Net", D2, path="b.txt")]
    assert extend(*collect(early), [rec("Alpha Net", D1, path="a.txt")]) is None
    assert extend(*collect(early), [rec("Beta", D1, path="a.txt")]) == collect(early + [rec("Beta", D1, path="a.txt")])


def test_a_new_paper_whose_slug_an_earlier_one_has_is_left_to_collecting_everything():
    """Of two titles with one slug, the key that sorts first keeps the plain slug: a new paper can
    take it from an earlier one, which only collecting every record decides."""
    for first, second in (("x y", "x_y"), ("x_y", "x y")):
        early = [rec(first, D1)]
        late = [rec(second, D2, path="e.txt")]
        assert extend(*collect(early), late) is None
    assert sorted(collect([rec("x_y", D1), rec("x y", D2, path="e.txt")])[0].papers)[0] == "x-y"
