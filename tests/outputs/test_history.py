"""Release history: comparison of releases, 更新履歴, case history, feed.xml, council-release."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from bs4 import BeautifulSoup

from council.html.webmeta import JST
from council.model.content_model import load_model
from council.views.changes import compare, history
from council.views.feed import atom_feed
from council.views.history import main
from council.views.releases import Release, read_releases, snapshot

from helpers import build_real_site
from helpers import REPO

ATOM = "{http://www.w3.org/2005/Atom}"
ROLES = load_model(REPO / "ubproject.toml").roles
FIELDS = ["actor", "department"]
LINKS = ["binds", "part_of", "satisfies"]


def need(need_id, kind, title, content="", **links):
    return {"id": need_id, "type": kind, "title": title, "content": content, "docname": f"cases/{need_id[-1].lower()}",
            **links}


BEFORE = {
    "CASE_A": need("CASE_A", "case", "案件A", department="総務課"),
    "ENT_A_1": need("ENT_A_1", "entrustment", "委託", part_of=["CASE_A"]),
    "SG_A_1": need("SG_A_1", "safeguard", "対策1", "本文", part_of=["ENT_A_1"], binds=["CL_A_01"], satisfies=["CHK_1"]),
    "ED_A": need("ED_A", "edition", "19項版"),
    "CL_A_01": need("CL_A_01", "clause", "秘密の保持", "条文"),
}


def after() -> dict:
    new = json.loads(json.dumps(BEFORE))
    new["SG_A_1"]["content"] = "本文（修正）"
    new["SG_A_1"]["binds"] = ["CL_A_02"]
    new["SG_A_2"] = need("SG_A_2", "safeguard", "対策2", part_of=["ENT_A_1"])
    new["CASE_B"] = need("CASE_B", "case", "案件B")
    new["ENT_B_1"] = need("ENT_B_1", "entrustment", "委託", part_of=["CASE_B"])
    new["SG_B_1"] = need("SG_B_1", "safeguard", "対策", part_of=["ENT_B_1"])
    new["ED_B"] = need("ED_B", "edition", "21項版")
    new["CL_A_01"]["content"] = "条文（改正）"
    return new


def test_compare_names_new_cases_changed_measures_links_and_editions():
    changes = compare(snapshot(BEFORE, FIELDS, LINKS, ROLES), snapshot(after(), FIELDS, LINKS, ROLES), ROLES)
    assert [(c.case, c.new) for c in changes.cases] == [("CASE_B", True), ("CASE_A", False)]
    assert changes.cases[0].summary() == ["新しい案件として掲載しました。"]
    assert changes.cases[1].summary() == [
        "情報保護対策を 1 件追加しました（SG_A_2）。",
        "情報保護対策の記載を 1 件変更しました（SG_A_1）。",
        "SG_A_1 の特記事項の条項: CL_A_02 を追加、CL_A_01 を削除。",
    ]
    assert changes.new_editions == [("ED_B", "21項版")]
    assert changes.changed_clauses == [("CL_A_01", "秘密の保持")]
    # a link confirmed again without change, or review bookkeeping, is no change
    same = json.loads(json.dumps(BEFORE))
    same["SG_A_1"]["trace"] = "確認済"
    assert compare(snapshot(BEFORE, FIELDS, LINKS, ROLES), snapshot(same, FIELDS + ["trace"], LINKS, ROLES), ROLES).empty


def _releases() -> list[Release]:
    day1 = dt.datetime(2026, 4, 1, 10, 0, tzinfo=JST)
    day2 = dt.datetime(2026, 6, 1, 10, 0, tzinfo=JST)
    return [Release("aaaaaaaaaaaa", day1, snapshot(BEFORE, FIELDS, LINKS, ROLES)),
            Release("bbbbbbbbbbbb", day2, snapshot(after(), FIELDS, LINKS, ROLES))]


def test_feed_is_atom_with_one_entry_per_new_or_changed_case_per_release():
    text = atom_feed(history(_releases(), ROLES), base_url="https://example.jp/", title="サイト", author="新宿区",
                     uri_of={"cases/a": "cases/a.html", "cases/b": "cases/b.html"})
    root = ET.fromstring(text)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}updated") == "2026-06-01T10:00:00+09:00"
    entries = [(e.findtext(f"{ATOM}id"), e.findtext(f"{ATOM}title"), e.findtext(f"{ATOM}updated"),
                e.find(f"{ATOM}link").get("href")) for e in root.findall(f"{ATOM}entry")]
    assert entries == [
        ("tag:example.jp,2026:council/bbbbbbbbbbbb/CASE_B", "新しい案件: 案件B", "2026-06-01T10:00:00+09:00",
         "https://example.jp/cases/b.html"),
        ("tag:example.jp,2026:council/bbbbbbbbbbbb/CASE_A", "更新: 案件A", "2026-06-01T10:00:00+09:00",
         "https://example.jp/cases/a.html"),
        ("tag:example.jp,2026:council/aaaaaaaaaaaa/CASE_A", "新しい案件: 案件A", "2026-04-01T10:00:00+09:00",
         "https://example.jp/cases/a.html"),
    ]


def test_published_feed_parses_and_keeps_its_ids_across_rebuilds(site, tmp_path):
    def entries(root: Path) -> list[tuple[str, str]]:
        feed = ET.parse(root / "feed.xml").getroot()
        assert feed.tag == f"{ATOM}feed" and feed.findtext(f"{ATOM}id")
        return [(e.findtext(f"{ATOM}id"), e.findtext(f"{ATOM}updated")) for e in feed.findall(f"{ATOM}entry")]

    first = entries(site)
    assert first and all(i.startswith("tag:example.jp,") for i, _ in first)
    assert entries(Path(build_real_site(tmp_path / "again").outdir)) == first


def test_history_page_and_case_page_show_the_releases(site):
    kept = read_releases(REPO / "releases")
    assert kept, "no release kept under releases/"
    page = BeautifulSoup((site / "docs" / "history.html").read_text(encoding="utf-8"), "html.parser")
    first = kept[0]
    section = page.find(id=f"release-{first.key}")
    assert section.find("h2").get_text().startswith(f"{first.date.year}年{first.date.month}月{first.date.day}日の公開")
    case = BeautifulSoup((site / "cases" / "2018-fureai.html").read_text(encoding="utf-8"), "html.parser")
    own = case.find(id="council-case-history")
    assert own.find("h2").get_text().startswith("この案件の更新履歴")
    assert "新しい案件として掲載しました。" in own.get_text()


def test_council_release_keeps_a_snapshot_once_per_change(tmp_path, capsys):
    shutil.copy2(REPO / "ubproject.toml", tmp_path / "ubproject.toml")
    needs = tmp_path / "needs.json"
    needs.write_text(json.dumps({"current_version": "1", "versions": {"1": {"needs": BEFORE}}}), encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.jp"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "公開"], cwd=tmp_path, check=True,
                   env={"GIT_COMMITTER_DATE": "2026-04-01T10:00:00+09:00", "PATH": "/usr/bin:/bin"})
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    assert main(["--source", str(tmp_path), "--needs", str(needs)]) == 0
    written = sorted((tmp_path / "releases").iterdir())
    assert [p.name for p in written] == [f"2026-04-01-{commit[:12]}.json"]
    assert read_releases(tmp_path / "releases")[0].needs == snapshot(BEFORE, *_model(tmp_path))
    assert main(["--source", str(tmp_path), "--needs", str(needs)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "council-release: 前回の公開から変更がないため、記録しませんでした"
    assert len(list((tmp_path / "releases").iterdir())) == 1


def _model(project: Path):
    from council.views.releases import model_names

    return model_names(load_model(project / "ubproject.toml"))


def test_a_project_without_git_builds_without_dates(build_project, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_DIR", "/nonexistent")  # no repository, whatever the temp dir is in
    app = build_project("site-minimal")
    out = Path(app.outdir)
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.findall(f"{ATOM}entry") == []  # an undated release is not announced
    case = next((out / "cases").glob("*.html"))
    page = BeautifulSoup(case.read_text(encoding="utf-8"), "html.parser")
    assert page.select(".last-updated time") == []
    assert "未公開の変更（日付なし）" in page.find(id="council-case-history").get_text()


def test_history_names_measures_and_clauses_as_readers_know_them() -> None:
    from council.views.changes import LINK_LINES, CaseChange, reader_names

    needs = {
        "SG_X_E1_CO_01": {"type": "safeguard", "number": 1, "actor": "受託者", "aspect": "運用"},
        "CL_B_10": {"type": "clause", "number": 10, "heading": "再委託の禁止", "part_of": ["ED_B"]},
        "ED_B": {"type": "edition", "title": "21項版（版 B）"},
        "CHK_CO_03": {"type": "checkitem"},
    }
    name = reader_names(needs, ROLES)
    assert name("SG_X_E1_CO_01") == "対策 1（受託者・運用）"
    assert name("CL_B_10") == "第10項 再委託の禁止（21項版（版 B））"
    assert name("CHK_CO_03") == "チェックリスト CO-03"
    assert name("CL_GONE_01") == "CL_GONE_01"  # a need no longer published keeps its ID
    change = CaseChange("CASE_X", "x", "cases/x", links=[("SG_X_E1_CO_01", "binds", ["CL_B_10"], [])])
    assert change.summary(name) == ["対策 1（受託者・運用） の特記事項の条項: 第10項 再委託の禁止（21項版（版 B）） を追加。"]
    many = CaseChange("CASE_X", "x", "cases/x",
                      links=[(f"SG_X_E1_CO_0{i}", "binds", ["CL_B_10"], []) for i in range(1, LINK_LINES + 2)])
    assert many.summary(name) == [f"情報保護対策 {LINK_LINES + 1} 件の特記事項の条項との対応付けを変更しました。"]
    assert len(many.link_details(name)) == LINK_LINES + 1


def test_print_has_the_history_page_but_not_the_case_pages_history(make_app, tmp_path, monkeypatch):
    """The 更新履歴 page is filled in every builder; 「この案件の更新履歴」 is HTML only."""
    from helpers import copy_project

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("GIT_DIR", "/nonexistent")
    src = copy_project("site-minimal", tmp_path)
    # a page of the printed reference volume (council.latex.documents.REFERENCE_DOCS)
    (src / "docs").mkdir()
    (src / "docs" / "reader-guide.md").write_text("# 更新履歴\n\n```{council-history}\n```\n", encoding="utf-8")
    index = src / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("cases/*\n", "cases/*\ndocs/reader-guide\n"),
                     encoding="utf-8")
    html = make_app("html", srcdir=src, warningiserror=True)
    html.build()
    case = BeautifulSoup((Path(html.outdir) / "cases" / "case.html").read_text(encoding="utf-8"), "html.parser")
    assert "未公開の変更（日付なし）" in case.find(id="council-case-history").get_text()
    latex = make_app("latex", srcdir=src, warningiserror=True)
    latex.build()
    tex = "".join(p.read_text(encoding="utf-8") for p in sorted(Path(latex.outdir).glob("*.tex")))
    assert "未公開の変更（日付なし）" in tex  # the history page, printed
    assert "この案件の更新履歴" not in tex


def _summaries(kept) -> list[tuple[str, list[tuple[str, bool]]]]:
    return [(release.key, [(c.case, c.new) for c in changes.cases]) for release, changes in kept]


def test_the_kept_history_reads_and_compares_only_what_changed(tmp_path, monkeypatch):
    """Decades of records: a build reads only the records it has not seen and compares only
    the pairs it has not compared (council.views.history.kept_history)."""
    from council.views import history as history_module
    from council.views.releases import write_snapshot

    records, cache = tmp_path / "releases", tmp_path / "doctrees" / history_module.KEPT_HISTORY
    first, second = _releases()
    write_snapshot(records, first.needs, first.date, "a" * 40)
    write_snapshot(records, second.needs, second.date, "b" * 40)
    reads: list[str] = []
    real = history_module.read_release
    monkeypatch.setattr(history_module, "read_release",
                        lambda path, *text: reads.append(path.name[:10]) or real(path, *text))

    def kept(roles=ROLES):
        reads.clear()
        latest, found = history_module.kept_history(records, roles, cache)
        assert _summaries(found) == _summaries(history(read_releases(records), roles))
        assert latest.needs == read_releases(records)[-1].needs
        assert all(release.needs == {} for release, _ in found)  # only the latest's needs are kept
        return _summaries(found)

    assert kept() == [("bbbbbbbbbbbb", [("CASE_B", True), ("CASE_A", False)]), ("aaaaaaaaaaaa", [("CASE_A", True)])]
    assert sorted(reads) == ["2026-04-01", "2026-06-01"]
    kept()
    assert reads == []  # the next build: nothing read

    # the next publication's record: only it is read (the latest's needs are kept)
    third = json.loads(json.dumps(second.needs))
    del third["CASE_B"], third["ENT_B_1"], third["SG_B_1"]
    write_snapshot(records, third, dt.datetime(2026, 9, 1, tzinfo=JST), "c" * 40)
    assert kept()[0] == ("cccccccccccc", [("CASE_B", False)])  # removed
    assert reads == ["2026-09-01"]

    # an edited record: it and its neighbour are read again to compare the two pairs it is in
    path = next(records.glob("2026-04-01-*.json"))
    path.write_text(path.read_text(encoding="utf-8").replace("案件A", "案件Ａ"), encoding="utf-8")
    kept()
    assert sorted(reads) == ["2026-04-01", "2026-06-01"]
    # a removed record: its neighbours are compared with each other
    path.unlink()
    assert kept()[-1] == ("bbbbbbbbbbbb", [("CASE_A", True), ("CASE_B", True)])
    # other roles, or no cache: everything again
    kept(dataclasses.replace(ROLES, case="entrustment"))
    assert sorted(reads) == ["2026-06-01", "2026-09-01"]
    cache.unlink()
    kept()
    assert sorted(reads) == ["2026-06-01", "2026-09-01"]


def test_the_kept_history_holds_the_needs_of_two_records_at_most(tmp_path, monkeypatch):
    """A record holds every need of its day (N = 1,000: ~100 MB in memory each); a first build
    reading decades of records must not hold them all (it held 14 at once: 1.4 GB)."""
    import weakref

    from council.views import history as history_module
    from council.views.releases import write_snapshot

    records = tmp_path / "releases"
    first, second = _releases()
    for month, needs in ((4, first.needs), (5, second.needs), (6, first.needs), (7, second.needs)):
        write_snapshot(records, needs, dt.datetime(2026, month, 1, tzinfo=JST), str(month) * 40)

    class Needs(dict):
        """A record's needs, weakly referable: how many are alive at once."""

    alive: list[weakref.ref] = []
    most = []
    reads: list[str] = []
    real_read, real_compare = history_module.read_release, history_module.compare

    def read_release(path, *text):
        reads.append(path.name[:10])
        release = real_read(path, *text)
        needs = Needs(release.needs)
        alive.append(weakref.ref(needs))
        return dataclasses.replace(release, needs=needs)

    def counting_compare(*args, **kwargs):
        most.append(sum(ref() is not None for ref in alive))
        return real_compare(*args, **kwargs)

    monkeypatch.setattr(history_module, "read_release", read_release)
    monkeypatch.setattr(history_module, "compare", counting_compare)
    latest, found = history_module.kept_history(records, ROLES, None)
    assert len(most) == 4 and max(most) <= 2
    assert sorted(reads) == ["2026-04-01", "2026-05-01", "2026-06-01", "2026-07-01"]  # each once
    assert latest.needs == read_releases(records)[-1].needs
    assert _summaries(found) == _summaries(history(read_releases(records), ROLES))


def test_the_latest_record_is_found_holding_two_records_at_most(tmp_path, monkeypatch):
    """council-release compares the build with the latest record: it held every record
    to find it (14 at N = 1,000: 2.6 GB)."""
    import weakref

    from council.views import releases as releases_module
    from council.views.releases import latest_release, write_snapshot

    records = tmp_path / "releases"
    first, second = _releases()
    # file order is not release order here: the newest record's file name sorts first
    for month, needs, commit in ((4, first.needs, "d"), (7, second.needs, "a"), (5, first.needs, "c")):
        write_snapshot(records, needs, dt.datetime(2026, month, 1, tzinfo=JST), commit * 40)
    (records / "2026-07-01-aaaaaaaaaaaa.json").rename(records / "0-latest.json")

    class Needs(dict):
        pass

    alive: list[weakref.ref] = []
    most: list[int] = []
    real_read = releases_module.read_release

    def read_release(path, *text):
        most.append(sum(ref() is not None for ref in alive))
        release = real_read(path, *text)
        needs = Needs(release.needs)
        alive.append(weakref.ref(needs))
        return dataclasses.replace(release, needs=needs)

    monkeypatch.setattr(releases_module, "read_release", read_release)
    latest = latest_release(records)
    assert latest.key == "aaaaaaaaaaaa" and latest.needs == second.needs
    assert len(most) == 1  # found by the records' first lines: only its needs are read
    assert latest_release(tmp_path / "none") is None

    # a record that does not begin with its release (written by another tool) is read whole
    later = {"needs": first.needs, "release": {"commit": "e" * 40, "date": "2026-08-01T00:00:00+09:00"}}
    (records / "by-hand.json").write_text(json.dumps(later, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    most.clear()
    latest = latest_release(records)
    assert latest.key == "eeeeeeeeeeee" and latest.needs == first.needs
    assert len(most) == 2 and max(most) <= 1  # that record, then the latest (the same) again; one held at a time


def test_the_kept_history_is_keyed_by_the_code_its_comparison_imports(tmp_path, monkeypatch):
    """The comparison formats names with council.html.link_names: a change to that module
    (not only to changes.py or releases.py) makes a build read and compare every record again."""
    from council import code_digest
    from council.views import history as history_module
    from council.views.releases import write_snapshot

    records, cache = tmp_path / "releases", tmp_path / "doctrees" / history_module.KEPT_HISTORY
    for release, commit in zip(_releases(), "ab", strict=True):
        write_snapshot(records, release.needs, release.date, commit * 40)
    reads: list[str] = []
    real = history_module.read_release
    monkeypatch.setattr(history_module, "read_release",
                        lambda path, *text: reads.append(path.name[:10]) or real(path, *text))
    history_module.kept_history(records, ROLES, cache)
    reads.clear()
    history_module.kept_history(records, ROLES, cache)
    assert reads == []

    sources = code_digest._sources

    def link_names_edited(modules, project):
        found = dict(sources(modules, project))
        assert "council.html.link_names" in found
        edited = tmp_path / "link_names.py"
        edited.write_bytes(Path(found["council.html.link_names"]).read_bytes() + b"# edited\n")
        return {**found, "council.html.link_names": str(edited)}

    monkeypatch.setattr(code_digest, "_sources", link_names_edited)
    history_module.kept_history(records, ROLES, cache)
    assert sorted(reads) == ["2026-04-01", "2026-06-01"]
