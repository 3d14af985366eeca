import datetime as dt
import json
import lzma

from generator.readers import read_digest


def line(**kw):
    base = {"id": "2503.11731", "title": "Sensor\n Simulation", "summary": "We propose a system.\nIt works.",
            "authors": ["A. One", "B. Two"], "categories": ["cs.CV", "cs.RO"],
            "comment": "Code: https://github.com/org/SimGS", "abs": "https://arxiv.org/abs/2503.11731",
            "pdf": "https://arxiv.org/pdf/2503.11731"}
    base.update(kw)
    return json.dumps(base)


def test_reads_compressed_listing_with_ids_authors_categories_and_code_links(tmp_path):
    path = tmp_path / "2025-03-18.jsonl.xz"
    text = "\n".join([line(), "{not json", line(id="2503.00001", title=""), line(id="2503.00002v2", summary="S.")])
    path.write_bytes(lzma.compress(text.encode("utf-8")))
    records, diags = read_digest(path, display="d/2025-03-18.jsonl.xz")
    assert [r.arxiv_id for r in records] == ["2503.11731", "2503.00002v2"]
    first = records[0]
    assert first.date == dt.date(2025, 3, 18) and first.title == "Sensor Simulation"
    assert first.authors == ("A. One", "B. Two") and first.categories == ("cs.CV", "cs.RO")
    assert first.links == ("https://github.com/org/SimGS",)
    assert [str(d) for d in diags] == [
        "d/2025-03-18.jsonl.xz:2: not a JSON object (Expecting property name enclosed in double quotes); skipped",
        "d/2025-03-18.jsonl.xz:3: record without a title; skipped"]


def test_listing_needs_its_day_in_the_file_name(tmp_path):
    path = tmp_path / "listing.jsonl"
    path.write_text(line())
    records, diags = read_digest(path, display="listing.jsonl")
    assert records == [] and diags[0].level == "unusable"
