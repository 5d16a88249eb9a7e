"""The output checks' per-file results are reused only for the same bytes, code and settings."""

from __future__ import annotations

import os
import time
from pathlib import Path

from council_publish import manifest, output_cache
from council_publish.output_cache import ResultCache, digest


def _old(path: Path) -> None:
    """Date *path* well before now, as a page written earlier in the build is."""
    past = time.time() - 60
    os.utime(path, (past, past))


def test_digest_follows_the_bytes_even_when_rewritten_in_place(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_text("one")
    _old(page)
    first = digest(page)
    assert digest(page) == first
    stat = page.stat()
    page.write_text("two")  # same size, same inode
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old modification time
    assert digest(page) != first


def test_a_file_hashed_as_it_was_written_is_hashed_again(tmp_path: Path, monkeypatch) -> None:
    page = tmp_path / "a.html"
    page.write_text("one")
    digest(page)  # just written: racily clean
    calls = []
    real = output_cache.hashlib.sha256
    monkeypatch.setattr(output_cache.hashlib, "sha256", lambda: calls.append(1) or real())
    digest(page)
    assert calls == [1]
    _old(page)
    digest(page)
    calls.clear()
    digest(page)
    assert calls == []


def _scan(calls: list[str]):
    def compute(path: Path) -> list[str]:
        calls.append(path.name)
        return [path.read_text()]
    return compute


def test_results_kept_across_builds_by_path_and_content(tmp_path: Path) -> None:
    cache_dir, site = tmp_path / "cache", tmp_path / "site"
    site.mkdir()
    for name in ("a", "b"):
        (site / name).write_text(name)
    calls: list[str] = []
    cache = ResultCache(cache_dir, "check", [manifest], "settings")
    assert [cache.get(n, site / n, _scan(calls)) for n in ("a", "b")] == [["a"], ["b"]]
    cache.save()
    (site / "b").write_text("B")
    calls.clear()
    cache = ResultCache(cache_dir, "check", [manifest], "settings")
    assert [cache.get(n, site / n, _scan(calls)) for n in ("a", "b")] == [["a"], ["B"]]
    assert calls == ["b"]
    # the same bytes at another path are checked again (a check may depend on the path)
    (site / "c").write_text("a")
    assert cache.get("c", site / "c", _scan(calls)) == ["a"] and calls == ["b", "c"]


def test_other_settings_or_code_start_an_empty_cache(tmp_path: Path) -> None:
    cache_dir, page = tmp_path / "cache", tmp_path / "a"
    page.write_text("a")
    cache = ResultCache(cache_dir, "check", [manifest], "settings")
    cache.get("a", page, _scan([]))
    cache.save()
    for code, settings in (([manifest], "other settings"), ([output_cache], "settings")):
        calls: list[str] = []
        ResultCache(cache_dir, "check", code, settings).get("a", page, _scan(calls))
        assert calls == ["a"]
    calls = []
    ResultCache(cache_dir, "check", [manifest], "settings").get("a", page, _scan(calls))
    assert calls == []


def test_manifest_digests_are_those_of_the_files(tmp_path: Path) -> None:
    import hashlib

    (tmp_path / "x.html").write_text("x")
    digest(tmp_path / "x.html")
    (tmp_path / "x.html").write_text("changed")
    assert manifest.manifest_lines(tmp_path) == [f"{hashlib.sha256(b'changed').hexdigest()}  x.html"]


def test_link_check_with_kept_parses_still_resolves_every_link_again(tmp_path: Path) -> None:
    from council_publish.linkcheck import check_site

    site, cache_dir = tmp_path / "site", tmp_path / "cache"
    site.mkdir()
    (site / "a.html").write_text('<a href="b.html#x">b</a>')
    (site / "b.html").write_text('<p id="x">x</p>')
    _old(site / "a.html")
    assert check_site(site, cache_dir) == []
    assert (cache_dir / "link-check.pickle").is_file()
    (site / "b.html").write_text('<p id="y">y</p>')  # a.html unchanged, its target lost the anchor
    broken = check_site(site, cache_dir)
    assert [(b.page, b.reason) for b in broken] == [("a.html", "リンク先のアンカーがありません")]
    (site / "b.html").unlink()
    assert [b.reason for b in check_site(site, cache_dir)] == ["リンク先のファイルがありません"]
