"""Bad input: a clear message with file and line, exit code 1, and no file written."""

from __future__ import annotations

import pytest

from importer_sources import source_text

JIRITSU = "000_bad3504de82e16e0.txt"
NOT_WRITTEN = "council-import: ファイルは書き出していません"


def _lines(n: int) -> str:
    return "\n".join(source_text(JIRITSU).splitlines()[:n]) + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "これは議事録です。\n会議の記録\n",
            "<tmp>/doc.txt:1: 審議会資料の見出し（「情報公開・個人情報保護審議会 …事項」または「個人情報保護管理運営会議 付議事項」）"
            "がありません。審議会資料の抽出テキストではないようです",
        ),
        ("\n \n", "<tmp>/doc.txt:1: 空のファイルです（審議会資料の抽出テキストではありません）"),
        (
            lambda: _lines(20),
            "<tmp>/doc.txt:20: 業務委託・開発の「件名」の行がありません（資料が途中で切れている可能性があります）",
        ),
        (
            lambda: _lines(35),
            "<tmp>/doc.txt:26: 「件名 自立相談支援事業の実施に係る業務の委託について (受託者の追加)」に情報保護対策の欄がありません"
            "（資料が途中で切れている可能性があります）",
        ),
        (
            lambda: _lines(100),
            "<tmp>/doc.txt:100: 特記事項の見出し「(再委託の禁止)」の後に条項がありません（資料が途中で切れている可能性があります）",
        ),
        (
            lambda: _lines(98),
            "<tmp>/doc.txt:98: 特記事項が第9項で終わっています（版 ED_B は21項）。資料が途中で切れている可能性があります"
            "（短い版であれば --write-edition で新しい版として取り込めます）",
        ),
        (
            lambda: "\n".join(line for line in source_text(JIRITSU).splitlines() if not line.startswith("◇")),
            "<tmp>/doc.txt:5: 根拠規定（「◇第…条…」の行）がありません",
        ),
        (
            lambda: source_text(JIRITSU).replace("\n12 乙は", "\n13 乙は", 1),
            "<tmp>/doc.txt:108: 特記事項の第12項があるべきところに第13項があります（条項の抜け、または資料が途中で切れている可能性があります）",
        ),
        (
            lambda: source_text(JIRITSU).replace("委託の開始時期及び期限\t", "委託の期間\t"),
            "<tmp>/doc.txt:26: 「件名 自立相談支援事業の実施に係る業務の委託について (受託者の追加)」に委託の開始時期及び期限／"
            "新規開発・追加・変更の時期の欄がなく、開始日を決められません",
        ),
        (
            lambda: source_text(JIRITSU).replace("2019年4月1日から", "未定から"),
            "<tmp>/doc.txt:35: 開始時期「未定から2020年3月31日まで(次年度以降も、同様の業務委託を行う。)」から開始の年月を読み取れません",
        ),
    ],
    ids=["not-a-document", "empty", "truncated-before-work", "truncated-in-work", "truncated-at-heading",
         "truncated-clauses", "no-legal-basis", "clause-gap", "no-period", "bad-period"],
)
def test_bad_input(text, message, run_import):
    if callable(text):
        text = text()
    code, err, out = run_import(text)
    assert code == 1
    assert err.splitlines() == [f"council-import: エラー: {message}", NOT_WRITTEN]
    assert not out.exists() and not out.parent.exists()


def test_shift_jis_is_refused_with_the_line(run_import):
    data = source_text(JIRITSU).encode("cp932")
    code, err, out = run_import(data)
    assert code == 1
    assert err.splitlines()[0] == (
        "council-import: エラー: <tmp>/doc.txt:3: UTF-8 として読めないバイト列があります"
        "（Shift_JIS など別の文字コードで保存されている可能性があります。UTF-8 に変換してください）"
    )
    assert not out.exists()


def test_invalid_utf8_names_its_line(run_import):
    lines = source_text(JIRITSU).encode("utf-8").split(b"\n")
    lines[49] = lines[49][:10] + b"\xff\xfe" + lines[49][10:]
    code, err, out = run_import(b"\n".join(lines))
    assert code == 1
    assert "<tmp>/doc.txt:50: UTF-8 として読めないバイト列があります" in err
    assert not out.exists()


def test_existing_page_is_not_overwritten(run_import, tmp_path):
    code, err, out = run_import(source_text(JIRITSU), slug="JIRITSU")
    assert code == 0
    before = out.read_text(encoding="utf-8")
    out.write_text("hand edited\n", encoding="utf-8")
    code, err, _ = run_import(source_text(JIRITSU), slug="JIRITSU")
    assert code == 1
    assert "<tmp>/out/case.md: すでに存在します（上書きするときは --force を付けてください）" in err
    assert out.read_text(encoding="utf-8") == "hand edited\n"
    code, err, _ = run_import(source_text(JIRITSU), slug="JIRITSU", extra=["--force"])
    assert code == 0 and out.read_text(encoding="utf-8") == before


def test_bad_slug_is_a_usage_error(run_import):
    with pytest.raises(SystemExit) as exc:
        run_import("x", slug="jiritsu")
    assert exc.value.code == 2


def test_missing_source_file(tmp_path, capsys):
    from council_import.cli import main

    assert main([str(tmp_path / "none.txt"), "--slug", "X", "--output", str(tmp_path / "o.md")]) == 1
    err = capsys.readouterr().err.replace(str(tmp_path), "<tmp>")
    assert err.splitlines()[0] == "council-import: エラー: <tmp>/none.txt: 読み込めません: No such file or directory"
    assert not (tmp_path / "o.md").exists()
