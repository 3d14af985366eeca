import datetime as dt
import json

from generator.readers import hf_api

PATH = "content/digests/2025-08-05.json"
CLIP_ABSTRACT = ("State-of-the-art computer vision systems are trained to predict a fixed set of\n"
                 "predetermined object categories. We demonstrate that the simple pre-training task of\n"
                 "predicting which caption goes with which image is an efficient and scalable way to\n"
                 "learn SOTA image representations. We release our code and pre-trained model weights\n"
                 "at https://github.com/OpenAI/CLIP. See also https://openai.com/research/clip.")


def entry(**paper):
    base = {
        "id": "2103.00020",
        "title": "Learning Transferable Visual Models\n From Natural Language Supervision",
        "summary": CLIP_ABSTRACT,
        "authors": [{"_id": "a1", "name": "Alec Radford", "hidden": False},
                    {"_id": "a2", "name": "Jong Wook  Kim"}, {"_id": "a3", "name": "  "}],
        "publishedAt": "2021-02-26T18:04:43.000Z",
        "upvotes": 42,
        "githubRepo": "https://github.com/OpenAI/CLIP",
        "projectPage": "https://openai.com/research/clip",
        "ai_keywords": ["contrastive pre-training", " zero-shot\ntransfer ", 7],
    }
    base.update(paper)
    return {"paper": base, "publishedAt": "2025-08-04T17:12:00.000Z", "title": base["title"],
            "numComments": 3, "submittedBy": {"name": "akhaliq"}}


def read(entries, path=PATH):
    return hf_api.read(json.dumps(entries, indent=2), path=path)


def test_maps_one_api_entry_to_a_record():
    (record,), diags = read([entry()])
    assert diags == []
    assert record.title == "Learning Transferable Visual Models From Natural Language Supervision"
    assert record.abstract.startswith("State-of-the-art computer vision systems are trained to predict a fixed set of predetermined")
    assert record.arxiv_id == "2103.00020"
    assert record.date == dt.date(2025, 8, 5)
    assert record.authors == ("Alec Radford", "Jong Wook Kim")
    assert record.upvotes == 42
    assert record.keywords == ("contrastive pre-training", "zero-shot transfer")
    assert record.path == PATH and record.line == 2


def test_links_are_repo_then_project_page_then_abstract_urls_without_duplicates():
    (record,), _ = read([entry(githubRepo="https://github.com/mlfoundations/open_clip",
                               summary=CLIP_ABSTRACT + " Code: https://github.com/mlfoundations/open_clip.")])
    assert record.links == ("https://github.com/mlfoundations/open_clip", "https://openai.com/research/clip",
                            "https://github.com/OpenAI/CLIP")


def test_missing_or_odd_optional_fields_are_left_empty():
    (record,), diags = read([entry(githubRepo=None, projectPage=None, upvotes=True, ai_keywords=None,
                                   summary="We learn image representations from captions.")])
    assert record.links == () and record.upvotes is None and record.keywords == ()
    assert diags == []


def test_non_url_repo_is_left_out_with_a_warning():
    (record,), diags = read([entry(githubRepo="OpenAI/CLIP")])
    assert "https://github.com/OpenAI/CLIP" in record.links  # still found in the abstract
    assert [d.level for d in diags] == ["warning"] and "githubRepo 'OpenAI/CLIP'" in diags[0].message


def test_non_arxiv_id_is_kept_without_it_and_warned():
    (record,), diags = read([entry(id="clip-openai")])
    assert record.arxiv_id is None
    assert [str(d) for d in diags] == [f"{PATH}:2: id 'clip-openai' is not an arXiv id; kept without it"]


def test_versioned_arxiv_id_is_accepted():
    (record,), _ = read([entry(id="2103.00020v1")])
    assert record.arxiv_id == "2103.00020v1"


def test_entry_without_abstract_is_skipped_at_its_own_line():
    text = json.dumps([entry(), entry(id="2508.01234", summary="  "), entry(id="2508.04321")], indent=2)
    records, diags = hf_api.read(text, path=PATH)
    assert [r.arxiv_id for r in records] == ["2103.00020", "2508.04321"]
    starts = [number for number, ln in enumerate(text.splitlines(), 1) if ln == "  {"]  # each entry's brace
    assert len(starts) == 3 and starts[0] == 2
    assert [str(d) for d in diags] == [f"{PATH}:{starts[1]}: paper '2508.01234' has no abstract; skipped"]
    assert diags[0].level == "skipped"
    assert [r.line for r in records] == [starts[0], starts[2]]


def test_title_and_abstract_fall_back_to_the_entry_level():
    item = entry(title=None, summary=None)
    item["title"] = "Learning Transferable Visual Models From Natural Language Supervision"
    item["summary"] = "A summary given only at the top level."
    (record,), _ = read([item])
    assert record.title == "Learning Transferable Visual Models From Natural Language Supervision"
    assert record.abstract == "A summary given only at the top level."


def test_wrapped_response_under_papers_key_keeps_line_numbers():
    text = json.dumps({"date": "2025-08-05", "papers": [entry(), entry(id="2508.01234")]}, indent=2)
    records, diags = hf_api.read(text, path=PATH)
    lines = text.splitlines()
    assert diags == []
    assert [r.line for r in records] == [i + 1 for i, ln in enumerate(lines) if ln == "    {"]


def test_file_name_without_date_falls_back_to_newest_published_at_with_a_warning():
    records, diags = read([entry(), entry(id="2508.01234", publishedAt="2025-08-06T01:00:00Z")],
                          path="content/digests/today.json")
    assert {r.date for r in records} == {dt.date(2025, 8, 6)}
    assert [(d.level, d.line) for d in diags] == [("warning", 1)]
    assert "publishedAt" in diags[0].message and "2025-08-06" in diags[0].message


def test_no_date_anywhere_is_unusable():
    item = entry(publishedAt=None)
    del item["publishedAt"]
    records, diags = read([item], path="today.json")
    assert records == [] and [d.level for d in diags] == ["unusable"]


def test_invalid_json_names_line_and_column():
    text = json.dumps([entry()], indent=2).replace('"upvotes": 42,', '"upvotes": 42,,')
    records, diags = hf_api.read(text, path=PATH)
    bad = next(i for i, ln in enumerate(text.splitlines(), 1) if "42,," in ln)
    assert records == [] and len(diags) == 1 and diags[0].level == "unusable"
    assert str(diags[0]).startswith(f"{PATH}:{bad}: not valid JSON")
    assert f"line {bad}, column" in diags[0].message


def test_empty_list_is_unusable_no_papers_found():
    records, diags = read([])
    assert records == []
    assert len(diags) == 1 and diags[0].level == "unusable" and "no papers found" in diags[0].message
    assert str(diags[0]).startswith(f"{PATH}:1: no papers found")


def test_non_object_entries_are_skipped_and_all_skipped_is_unusable():
    records, diags = read(["2103.00020", entry(title="", summary="")])
    assert records == []
    assert [(d.line, d.level) for d in diags] == [(2, "skipped"), (3, "skipped"), (1, "unusable")]


def test_compact_json_puts_every_entry_on_line_one():
    records, _ = hf_api.read(json.dumps([entry(), entry(id="2508.01234")]), path=PATH)
    assert [r.line for r in records] == [1, 1]


def test_looks_like_api_responses_only():
    assert hf_api.looks_like(json.dumps([entry()], indent=2))
    assert hf_api.looks_like(json.dumps({"papers": [entry()]}))
    assert not hf_api.looks_like('{"id": "2103.00020", "title": "CLIP"}')
    assert not hf_api.looks_like("Daily Papers\n\nAug 5\n")
