import datetime as dt

from generator.collection import build_collection
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
