import datetime as dt

from generator.readers import daily_papers, decode, read_digest

from conftest import ROOT, digest

ABSTRACT = ("We study a problem. We propose a method that works well on many benchmarks and "
            "beats strong baselines by a wide margin. Code is at https://github.com/a/b.")


def read(text, path="content/digests/2025-08-05.txt", year=None):
    return daily_papers.read(text, path=path, year=year)


def test_bundled_digest_has_65_papers_and_no_complaints():
    records, diags = read_digest(ROOT / "content/digests/2025-08-05.txt")
    assert len(records) == 65
    assert diags == []
    assert {r.date for r in records} == {dt.date(2025, 8, 5)}
    assert records[0].title == "Poincaré ResNet"
    assert "Poincaré ball" in records[0].abstract and "\\'" not in records[0].abstract


def test_chrome_is_skipped_and_year_comes_from_the_file_name():
    records, diags = read(digest("Aug 5", ("GIST: A Title", ABSTRACT)))
    assert [r.title for r in records] == ["GIST: A Title"]
    assert records[0].date == dt.date(2025, 8, 5)
    assert records[0].line == 13  # the title's own line
    assert records[0].links == ("https://github.com/a/b",)
    assert diags == []


def test_year_from_settings_when_the_file_name_has_no_date():
    records, diags = read(digest("Aug 5", ("T", ABSTRACT)), path="today.txt", year=2024)
    assert records[0].date == dt.date(2024, 8, 5) and diags == []


def test_no_year_anywhere_is_one_clear_error():
    records, diags = read(digest("Aug 5", ("T", ABSTRACT)), path="today.txt")
    assert records == []
    assert len(diags) == 1 and diags[0].level == "unusable"
    assert str(diags[0]).startswith("today.txt:11: ") and "year" in diags[0].message


def test_date_conflict_with_file_name_is_a_warning():
    records, diags = read(digest("Aug 6", ("T", ABSTRACT)))
    assert records[0].date == dt.date(2025, 8, 6)
    assert len(diags) == 1 and diags[0].level == "warning" and "2025-08-05" in diags[0].message


def test_latex_accents_and_whitespace_are_normalised():
    text = digest("Aug 5", ("Poincar\\'e  ResNet", "On the Poincar\\'e ball and Fr\\'{e}chet means,\n  with\tna\\\"ive {\\\"o} spacing. " + ABSTRACT))
    (record,), _ = read(text)
    assert record.title == "Poincaré ResNet"
    assert record.abstract.startswith("On the Poincaré ball and Fréchet means, with naïve ö spacing.")


def test_title_without_abstract_at_the_end_is_reported_and_the_rest_kept():
    text = digest("Aug 5", ("First Paper", ABSTRACT), ("Second Paper", ABSTRACT)) + "Truncated Title\n"
    records, diags = read(text)
    assert [r.title for r in records] == ["First Paper", "Second Paper"]
    assert [str(d) for d in diags] == [
        "content/digests/2025-08-05.txt:21: title 'Truncated Title' has no abstract "
        "(truncated at the end of the file?); skipped"]


def test_title_without_abstract_in_the_middle_does_not_shift_the_pairs():
    text = digest("Aug 5", ("First Paper", ABSTRACT)) + "Lonely Title\n\n" + "Third Paper\n\n" + ABSTRACT + "\n"
    records, diags = read(text)
    assert [(r.title, r.abstract == ABSTRACT) for r in records] == [("First Paper", True), ("Third Paper", True)]
    assert len(diags) == 1 and ":17: title 'Lonely Title' has no abstract" in str(diags[0])


def test_short_abstract_is_still_an_abstract():
    text = digest("Aug 5", ("Tiny Paper", "A one line abstract"), ("Next Paper", ABSTRACT))
    records, diags = read(text)
    assert [(r.title, r.abstract) for r in records][0] == ("Tiny Paper", "A one line abstract")
    assert len(records) == 2 and diags == []


def test_abstract_without_title_is_skipped():
    text = digest("Aug 5", ("Good Paper", ABSTRACT)) + ABSTRACT + "\n\n"
    records, diags = read(text)
    assert len(records) == 1 and "abstract with no title" in str(diags[0])


def test_encodings_and_line_endings(tmp_path):
    path = tmp_path / "2025-08-05.txt"
    text = digest("Aug 5", ("Caf\u00e9 Paper", ABSTRACT)).replace("\n", "\r\n")
    path.write_bytes(text.encode("cp1252"))
    records, diags = read_digest(path, display="d/2025-08-05.txt")
    assert records[0].title == "Café Paper"
    assert len(diags) == 1 and "Windows-1252" in diags[0].message
    assert decode("\ufeffnew".encode("utf-8"), "x")[0] == "new"


def test_unsupported_file_is_reported(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK")
    records, diags = read_digest(path, display="notes.docx")
    assert records == [] and "unsupported digest format" in str(diags[0])


def test_lone_carriage_returns_and_control_characters(tmp_path):
    path = tmp_path / "2025-08-05.txt"
    text = digest("Aug 5", ("Bell\x07 and\x0b Tab Paper", "Text with a NUL\x00 byte. " + ABSTRACT))
    path.write_bytes(("\ufeff" + text.replace("\n", "\r")).encode("utf-8"))
    records, diags = read_digest(path, display="2025-08-05.txt")
    assert [r.title for r in records] == ["Bell and Tab Paper"]
    assert "\x00" not in records[0].abstract and diags == []
