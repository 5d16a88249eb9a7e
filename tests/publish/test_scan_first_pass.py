"""The scans' first pass over a data file's distinct values, and the clean values kept
across publications (council_publish.data_values, council_publish.output_cache)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from council_publish import data_values, output_scan, published_privacy
from council_publish.data_values import csv_values, json_values, plain_xml
from council_publish.output_cache import ResultCache, code_files
from council_publish.published_privacy import scan_file, scan_site
from council.outputs.xlsx import write_workbook

PHONE = "03-5555-0123"


def test_json_values_are_every_string_key_and_number_once():
    document = {"a": ["x", {"b": 1, "c": 2.5, "d": None, "e": True}], "x": [[["deep"]]], "n": -3}
    assert json_values(document) == {"a", "x", "b", "c", "d", "e", "1", "2.5", "deep", "n", "-3"}
    assert json_values("alone") == {"alone"}
    assert json_values(7) == {"7"}


def test_csv_values_are_every_cell_once():
    assert csv_values('a,b\n"c,\nd",a\n') == {"a", "b", "c,\nd"}


def test_a_clean_data_file_is_not_walked_and_a_dirty_one_is(tmp_path: Path, monkeypatch):
    walked: list[str] = []
    real = output_scan._json_strings
    monkeypatch.setattr(output_scan, "_json_strings", lambda value: walked.append("json") or real(value))
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps({"needs": {"A": {"title": "再委託の禁止", "links": ["B"]}}}), encoding="utf-8")
    dirty = tmp_path / "dirty.json"
    dirty.write_text(json.dumps({"needs": {"A": {"title": "x", "url": " JavaScript:alert(1)"}}}), encoding="utf-8")
    assert output_scan.scan_file(tmp_path, clean, output_scan.KnownScripts()) == []
    assert walked == []
    found = output_scan.scan_file(tmp_path, dirty, output_scan.KnownScripts())
    assert [(f.where, f.message) for f in found] == [("$.needs.A.url", "値が javascript: の URL です")]
    assert walked == ["json"]


def _inline_runs(book: Path, cell: bytes, runs: bytes) -> None:
    """Give the inline string of *cell* the rich-text *runs* (written by hand: the site's writer makes none)."""
    with zipfile.ZipFile(book) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    start = members[sheet].index(b'<c r="' + cell + b'"')
    end = members[sheet].index(b"</c>", start)
    head = members[sheet][start:members[sheet].index(b"<is>", start)]
    members[sheet] = members[sheet][:start] + head + b"<is>" + runs + b"</is>" + members[sheet][end:]
    with zipfile.ZipFile(book, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("piece", [50, 1 << 23], ids=["small-pieces", "one-piece"])
def test_a_value_split_over_rich_text_runs_is_found(tmp_path: Path, monkeypatch, piece: int):
    """No run holds the number, their join does: the first pass must not take the cell as clean."""
    monkeypatch.setattr(published_privacy, "_PIECE", piece)
    book = tmp_path / "trace.xlsx"
    write_workbook(book, sheet="対策", headers=["案件", "備考"], rows=[["CASE_1", "区民の皆様"], ["CASE_2", "x"]])
    _inline_runs(book, b"B3", "<r><t>電話 03-5555-</t></r><r><rPr><b/></rPr><t>0123</t></r>".encode())
    assert published_privacy._sheet_is_plain(zipfile.ZipFile(book), "xl/worksheets/sheet1.xml")
    found = [(where, f.kind, f.masked) for where, f in scan_file(book)]
    assert found == [("対策!B3", "電話番号", "0*-****-****")]


def test_a_finding_in_a_shared_string_is_found_in_a_plain_sheet(tmp_path: Path):
    """The site's writer makes no shared strings; another program's workbook may."""
    book = tmp_path / "shared.xlsx"
    write_workbook(book, sheet="一覧", headers=["備考", "番号"], rows=[["x", "区民の皆様"]])
    with zipfile.ZipFile(book) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    cell = members[sheet].index(b'<c r="A2"')
    members[sheet] = (members[sheet][:cell] + b'<c r="A2" t="s"><v>1</v></c>'
                      + members[sheet][members[sheet].index(b"</c>", cell) + 4:])
    members["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<si><t>区民</t></si><si><t>電話 {PHONE}</t></si></sst>").encode()
    with zipfile.ZipFile(book, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert published_privacy._sheet_is_plain(zipfile.ZipFile(book), sheet)
    assert [(where, f.kind) for where, f in scan_file(book)] == [("一覧!A2", "電話番号")]


def test_a_prefixed_element_name_cut_between_two_reads_is_seen(monkeypatch):
    """The sheet is read in pieces (8 MB; a few bytes here, each cut elsewhere in the name)."""
    plain = b'<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData><row r="1"/></sheetData></worksheet>'
    prefixed = plain.replace(b"<sheetData>", b"<x:sheetData xmlns:x='u'>").replace(b"</sheetData>", b"</x:sheetData>")
    for size in range(40, 64):  # the declaration is 38 bytes; "<x:sheetData" starts at 49
        monkeypatch.setattr(data_values, "_CHUNK", size)
        assert plain_xml(io.BytesIO(plain), unprefixed=True), size
        assert plain_xml(io.BytesIO(prefixed)), size
        assert not plain_xml(io.BytesIO(prefixed), unprefixed=True), size


def _counting(monkeypatch) -> list[str]:
    checked: list[str] = []
    real = published_privacy.find_personal_data
    monkeypatch.setattr(published_privacy, "find_personal_data",
                        lambda text, allowed=(): checked.append(text) or real(text, allowed))
    return checked


def test_values_found_clean_are_not_checked_again_at_the_next_publication(tmp_path: Path, monkeypatch):
    from council.read.privacy_allowlist import Allowed

    root, cache = tmp_path / "html", tmp_path / "check-cache"
    root.mkdir()
    data = root / "needs.json"
    data.write_text(json.dumps({"A": ["区民の皆様", f"電話 {PHONE}"]}, ensure_ascii=False), encoding="utf-8")
    checked = _counting(monkeypatch)
    assert [(f.where, f.kind) for f in scan_site(root, cache_directory=cache)] == [("A[1]", "電話番号")]
    assert "区民の皆様" in checked

    # the file changes (so its result is not reused): only the new value and the finding are checked
    data.write_text(json.dumps({"A": ["区民の皆様", f"電話 {PHONE}", "新しい値"]}, ensure_ascii=False),
                    encoding="utf-8")
    checked.clear()
    assert [(f.where, f.kind) for f in scan_site(root, cache_directory=cache)] == [("A[1]", "電話番号")]
    assert sorted(checked) == sorted(["新しい値", f"電話 {PHONE}"])

    # another allow-list is another check: every value is checked again, and the finding allowed
    data.write_text(json.dumps({"A": ["区民の皆様", f"電話 {PHONE}"]}, ensure_ascii=False), encoding="utf-8")
    checked.clear()
    allowed = [Allowed(value=PHONE, reason="代表電話", reviewer="情報政策課")]
    assert scan_site(root, allowed, cache_directory=cache) == []
    assert "区民の皆様" in checked


def test_a_checks_cache_key_covers_the_code_it_calls():
    """The privacy scan's results depend on the detectors of council.read, not only on its module."""
    from council.read import privacy

    files = {Path(f).relative_to(Path(published_privacy.__file__).parents[1]).as_posix()
             for f in code_files([published_privacy, privacy])}
    assert {"council/read/personal_data.py", "council/read/names_and_addresses.py",
            "council/read/personal_numbers.py", "council/read/contact_details.py",
            "council/read/folded_text.py", "council_publish/data_values.py"} <= files
    assert "council_publish/linkcheck.py" not in files


def test_a_cache_written_before_values_were_kept_is_started_afresh(tmp_path: Path):
    import pickle

    from council_publish import manifest

    directory = tmp_path / "cache"
    directory.mkdir()
    cache = ResultCache(directory, "check", [manifest])
    (directory / "check.pickle").write_bytes(pickle.dumps((cache.key, {("a", "d"): [1]})))
    again = ResultCache(directory, "check", [manifest])
    assert again.old == {} and again.old_clean == frozenset()
