"""Publishing that cannot lose the site (council-build, issue 12).

Refused outputs, the lock, the versioned layout and its atomic switch, a
kill -9 at each point of the switch, SIGTERM, read-only and full disks.
The steps here are small stand-ins that write a fake site (the layout does
not depend on what the steps write); tests/publish/test_publish.py runs
the real steps.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from council_publish import cli as publish

from council_publish import site_versions
from helpers import REPO, copy_project

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(str(REPO / d) for d in ("_ext", "tests", "tests/publish"))}


def fake_site(marker: str):
    """A step writing a complete fake site whose pages carry *marker*."""

    def step(ctx: publish.BuildContext) -> None:
        (ctx.html / "cases").mkdir(parents=True)
        (ctx.html / "index.html").write_text(f"<p>{marker}</p>", encoding="utf-8")
        (ctx.html / "cases" / "a.html").write_text(f"<p>{marker} a</p>", encoding="utf-8")
        (ctx.staging / "latex").mkdir()
        (ctx.staging / "latex" / "book.tex").write_text(marker, encoding="utf-8")

    return step


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*")) if p.is_file()}


def expected(marker: str) -> dict[str, str]:
    return {"html/index.html": f"<p>{marker}</p>", "html/cases/a.html": f"<p>{marker} a</p>",
            "latex/book.tex": marker}


def versions_of(output: Path) -> list[str]:
    return site_versions.Layout(output).version_names()


#: Kept beside the versions on purpose: the lock, the PDF cache across publishes,
#: the logs of a failed LaTeX run, the Sphinx build and the checks' results kept for the next publication.
KEPT = {"lock", "pdf-cache", "latex-logs", "kept", "check-cache"}


def leftovers(output: Path) -> list[str]:
    versions = output.with_name(f".{output.name}.versions")
    found = [p.name for p in output.parent.iterdir() if p.name.startswith(".") and p != versions]
    found += [p.name for p in versions.iterdir() if p.name not in KEPT and not re.fullmatch(r"\d{6}", p.name)]
    return sorted(found)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project("site-minimal", tmp_path)


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """An output with one publication ("v1") already served."""
    out = tmp_path / "out" / "site"
    publish.build(REPO, out, [fake_site("v1")])
    return out


def council_build(monkeypatch, project: Path, output: str | Path, *steps) -> int:
    monkeypatch.setattr(publish, "STEPS", list(steps) or [fake_site("v2")])
    return publish.main(["--source", str(project), "--output", str(output)])


def one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.rstrip("\n")


# ---------------------------------------------------------------- refused outputs
ADVICE = "プロジェクトの中では _build/ の下（例: _build/site）を、またはプロジェクトの外を指定してください"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (".", "出力先 {p} はプロジェクト {p} そのものです。" + ADVICE),
        ("..", "出力先 {p.parent} はプロジェクト {p} を含むディレクトリです。" + ADVICE),
        ("/", "出力先 / はプロジェクト {p} を含むディレクトリです"),
        ("cases", "出力先 {p}/cases はプロジェクトの cases/ の中です。" + ADVICE),
        ("cases/site", "出力先 {p}/cases/site はプロジェクトの cases/ の中です。" + ADVICE),
        ("_build/../cases", "出力先 {p}/cases はプロジェクトの cases/ の中です。" + ADVICE),
        ("index.md", "出力先 {p}/index.md はプロジェクトの中です。" + ADVICE),
        (".git/site", "出力先 {p}/.git/site はプロジェクトの .git/ の中です。" + ADVICE),
        ("_build", "出力先 {p}/_build はプロジェクトの _build/ そのものです。" + ADVICE),
        ("_build/cases-link", "出力先 {p}/_build/cases-link はこのビルドが作ったものではないシンボリックリンク"
         "（→ ../cases）です。別の出力先を指定するか、リンクを削除してください"),
        ("_build/alias/site", "出力先 {p}/cases/site はプロジェクトの cases/ の中です。" + ADVICE),
        ("_build/notes.txt", "出力先 {p}/_build/notes.txt はファイルです。ディレクトリの場所を指定してください"),
        ("_build/mine", "出力先 {p}/_build/mine には公開サイトではないもの（html.bak、notes.txt）があるため"
         "置き換えません。空のディレクトリか、新しい場所を指定してください"),
    ],
)
def test_refused_output_changes_nothing(project, monkeypatch, capsys, given, message):
    (project / ".git").mkdir()
    (project / "_build" / "mine").mkdir(parents=True)
    (project / "_build" / "mine" / "notes.txt").write_text("手元のメモ", encoding="utf-8")
    (project / "_build" / "mine" / "html.bak").mkdir()
    (project / "_build" / "notes.txt").write_text("メモ", encoding="utf-8")
    (project / "_build" / "cases-link").symlink_to("../cases")
    (project / "_build" / "alias").symlink_to("../cases")
    before = sorted(str(p) for p in project.parent.rglob("*"))
    assert council_build(monkeypatch, project, given) == 2
    assert one_line(capsys) == "council-build: " + message.format(p=project)
    assert sorted(str(p) for p in project.parent.rglob("*")) == before


@pytest.mark.parametrize("given", [".", "cases", ".."])
def test_command_refuses_the_project_without_a_traceback(project, given):
    """The command itself, as an author would run it from the project."""
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    result = subprocess.run([sys.executable, "-m", "council_publish.cli", "--output", given], cwd=project,
                            env=ENV, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"council-build: 出力先 {(project / given).resolve()} はプロジェクト")
    assert result.stderr.endswith(ADVICE + "\n") and result.stderr.count("\n") == 1
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in project.parent.iterdir()) == ["site-minimal"]


def test_build_dir_linked_into_the_sources_is_refused(project, monkeypatch, capsys):
    (project / "_build").symlink_to("cases")
    assert council_build(monkeypatch, project, "_build/site") == 2
    assert one_line(capsys) == f"council-build: 出力先 {project}/cases/site はプロジェクトの cases/ の中です。" + ADVICE


def test_versions_directory_must_be_a_directory(project, tmp_path, monkeypatch, capsys):
    (tmp_path / ".site.versions").symlink_to(project / "cases")
    assert council_build(monkeypatch, project, tmp_path / "site") == 2
    assert one_line(capsys) == (f"council-build: {tmp_path}/.site.versions がディレクトリではありません"
                                "（版の置き場所に使えません）")
    assert sorted(p.name for p in (project / "cases").iterdir()) == ["case.md"]


def test_output_below_build_dir_and_outside_are_allowed(project, tmp_path, monkeypatch, capsys):
    assert council_build(monkeypatch, project, "_build/site") == 0
    assert capsys.readouterr().err == ""
    assert snapshot(project / "_build" / "site") == expected("v2")
    assert council_build(monkeypatch, project, tmp_path / "elsewhere" / "site") == 0
    assert snapshot(tmp_path / "elsewhere" / "site") == expected("v2")


# ------------------------------------------------------------------------ layout
def test_versions_behind_one_symlink_previous_kept_older_pruned(output):
    assert os.readlink(output) == ".site.versions/000001"
    publish.build(REPO, output, [fake_site("v2")])
    assert os.readlink(output) == ".site.versions/000002"
    assert versions_of(output) == ["000001", "000002"]
    publish.build(REPO, output, [fake_site("v3")])
    assert os.readlink(output) == ".site.versions/000003"
    assert versions_of(output) == ["000002", "000003"]
    assert snapshot(output) == expected("v3")
    assert snapshot(output.with_name(".site.versions") / "000002") == expected("v2")
    assert leftovers(output) == []


def test_failed_build_keeps_the_served_version(output):
    def fail(ctx):
        raise publish.BuildFailed("injected")

    with pytest.raises(publish.BuildFailed):
        publish.build(REPO, output, [fake_site("v2"), fail])
    assert snapshot(output) == expected("v1")
    assert versions_of(output) == ["000001"]
    assert leftovers(output) == []


@pytest.mark.parametrize("renameat2", [True, False], ids=["exchange", "two-renames"])
def test_real_directory_of_the_old_layout_is_migrated(tmp_path, monkeypatch, renameat2):
    out = tmp_path / "site"
    (out / "html").mkdir(parents=True)
    (out / "html" / "index.html").write_text("<p>old</p>", encoding="utf-8")
    (out / "latex").mkdir()
    if not renameat2:
        monkeypatch.setattr(site_versions, "exchange", lambda a, b: False)
    publish.build(REPO, out, [fake_site("v2")])
    assert out.is_symlink()
    assert os.readlink(out) == ".site.versions/000002"
    assert snapshot(out) == expected("v2")
    assert snapshot(tmp_path / ".site.versions" / "000001") == {"html/index.html": "<p>old</p>"}
    publish.build(REPO, out, [fake_site("v3")])
    assert versions_of(out) == ["000002", "000003"]
    assert leftovers(out) == []


# -------------------------------------------------------------------------- lock
HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from council_publish import site_versions
    with site_versions.locked(site_versions.Layout(Path(sys.argv[1]))):
        print("locked", flush=True)
        time.sleep(60)
""")


def test_second_build_says_which_process_holds_the_lock(output, project, monkeypatch, capsys):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(output)], env=ENV,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        info = json.loads(output.with_name(".site.versions").joinpath("lock").read_text(encoding="utf-8"))
        assert info["pid"] == holder.pid
        assert council_build(monkeypatch, project, output) == 75
        assert one_line(capsys) == (
            f"council-build: 出力先 {output} には別のビルドが実行中です"
            f"（プロセス {holder.pid}、{info['started']} 開始）。終わってから実行してください"
        )
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", info["started"])
    finally:
        holder.kill()
        holder.communicate()
    assert snapshot(output) == expected("v1")


def test_lock_of_a_dead_process_is_taken_over(output, project, monkeypatch, capsys):
    dead = subprocess.run([sys.executable, "-c", HOLDER.replace("time.sleep(60)", "import os; os._exit(0)"),
                           str(output)], env=ENV, capture_output=True, text=True)
    lock = output.with_name(".site.versions") / "lock"
    assert json.loads(lock.read_text(encoding="utf-8"))["pid"] != os.getpid()
    assert council_build(monkeypatch, project, output) == 0, dead.stderr
    assert json.loads(lock.read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert snapshot(output) == expected("v2")


# ------------------------------------------------------------ kill -9 at any point
KILLER = textwrap.dedent("""
    import os, shutil, signal, sys
    from pathlib import Path
    from council_publish import cli as publish
    from council_publish import site_versions
    from test_publish_safety import fake_site

    point, output = sys.argv[1], Path(sys.argv[2])

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    def before(module, name, when=lambda *a: True):
        original = getattr(module, name)
        def wrapper(*args, **kwargs):
            if when(*args):
                die()
            return original(*args, **kwargs)
        setattr(module, name, wrapper)

    def after(module, name):
        original = getattr(module, name)
        def wrapper(*args, **kwargs):
            original(*args, **kwargs)
            die()
        setattr(module, name, wrapper)

    steps = [fake_site("v2")]
    if point == "during-step":
        steps.append(die)
    elif point == "after-promote":
        after(publish, "promote")
    elif point == "before-replace":
        before(os, "replace", lambda src, dst: Path(dst) == output)
    elif point == "before-prune":
        before(publish, "prune")
    elif point == "during-prune":
        before(shutil, "rmtree", lambda path, *a: Path(path).name == "000001")
    elif point == "migration-after-exchange":
        before(os, "rename", lambda src, dst: Path(src).name == "next-link")
    elif point == "migration-between-renames":
        site_versions.exchange = lambda a, b: False
        before(os, "rename", lambda src, dst: Path(src).name == "next-link")
    publish.build(Path("."), output, steps)
""")

POINTS = ["during-step", "after-promote", "before-replace", "before-prune", "during-prune",
          "migration-after-exchange", "migration-between-renames"]


@pytest.mark.parametrize("point", POINTS)
def test_kill_9_at_any_point_leaves_a_complete_site(tmp_path, point):
    out = tmp_path / "site"
    if point.startswith("migration"):
        (out / "html" / "cases").mkdir(parents=True)
        (out / "html" / "index.html").write_text("<p>v1</p>", encoding="utf-8")
        (out / "html" / "cases" / "a.html").write_text("<p>v1 a</p>", encoding="utf-8")
        (out / "latex").mkdir()
        (out / "latex" / "book.tex").write_text("v1", encoding="utf-8")
    else:
        publish.build(REPO, out, [fake_site("v0")])
        publish.build(REPO, out, [fake_site("v1")])
    killed = subprocess.run([sys.executable, "-c", KILLER, point, str(out)], cwd=REPO, env=ENV,
                            capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if point == "migration-between-renames":
        # the one window without a site, only where renameat2 is missing: repaired first
        assert not os.path.lexists(out)
        site_versions.repair(site_versions.Layout(out))
    assert snapshot(out) in (expected("v1"), expected("v2"))
    # the next build cleans up after the killed one
    publish.build(REPO, out, [fake_site("v3")])
    assert snapshot(out) == expected("v3")
    assert len(versions_of(out)) == 2
    assert leftovers(out) == []


# ----------------------------------------------------------------------- SIGTERM
SLOW_BUILD = textwrap.dedent("""
    import sys
    from council_publish import cli as publish
    from council_publish.pipeline import run
    from test_publish_safety import fake_site

    def slow(ctx):
        # a child that starts a grandchild of its own, like make -> latexmk
        run(ctx, "slow", ["sh", "-c", "sleep 120 & sleep 120; true"])

    publish.STEPS[:] = [fake_site("v2"), slow]
    sys.exit(publish.main(sys.argv[1:]))
""")


def _running_in_group(group: int) -> list[str]:
    """Members of a process group that are not zombies (their state and name)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name_end = text.rindex(")")
        state, _ppid, pgrp = text[name_end + 2:].split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(f"{state} {text[:name_end + 1]}")
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_children_removes_staging_and_keeps_the_site(output, project, sig):
    proc = subprocess.Popen([sys.executable, "-c", SLOW_BUILD, "--source", str(project), "--output", str(output)],
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    staging = output.with_name(".site.versions") / "staging"
    deadline = time.monotonic() + 30
    while not (_children(proc.pid) and (staging / "html" / "index.html").exists()):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    group = _children(proc.pid)[0]
    while len(_children(group)) < 2:  # sh has started both sleeps
        time.sleep(0.05)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + sig
    name = signal.Signals(sig).name
    assert err == (f"council-build: {name} を受けて中断しました（作りかけの版は削除しました）。"
                   f"公開中のサイト（{output}）は変わっていません\n")
    assert _running_in_group(group) == []
    assert not staging.exists()
    assert snapshot(output) == expected("v1")
    assert leftovers(output) == []


# ------------------------------------------------------- read-only and full disks
def _failing(err: int, what, named: int = 0):
    def fail(*args, **kwargs):
        if what(*args):
            raise OSError(err, os.strerror(err), str(args[named]))
        return ORIGINALS[fail.name](*args, **kwargs)
    return fail


ORIGINALS = {"mkdir": os.mkdir, "open": os.open, "rename": os.rename, "symlink": os.symlink}

#: Where the build writes (name of the os function, which call fails, the path named).
WRITES = {
    "staging": ("mkdir", lambda p, *a: Path(p).name == "staging", "{v}/staging"),
    "lock": ("open", lambda p, *a: Path(p).name == "lock", "{v}/lock"),
    "promote": ("rename", lambda src, *a: Path(src).name == "staging", "{v}/staging"),
    "switch": ("symlink", lambda src, *a: True, "{v}/next-link"),
}


def _copy_step(ctx):
    """Copies into the output as the PDF step does (shutil.copy2)."""
    (ctx.html / "pdf").mkdir()
    shutil.copy2(ctx.html / "index.html", ctx.html / "pdf" / "book.pdf")


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS, errno.EACCES], ids=["full", "read-only", "denied"])
@pytest.mark.parametrize("where", [*WRITES, "pdf-copy", "step-write"])
def test_disk_errors_are_one_line_and_keep_the_site(output, project, monkeypatch, capsys, err, where):
    versions = output.with_name(".site.versions")
    steps = [fake_site("v2")]
    if where in WRITES:
        name, when, path = WRITES[where]
        fail = _failing(err, when, 1 if name == "symlink" else 0)
        fail.name = name
        monkeypatch.setattr(os, name, fail)
        path = path.format(v=versions)
    elif where == "pdf-copy":
        steps.append(_copy_step)
        fail = _failing(err, lambda src, *a: True, 1)
        fail.name = "copy"
        ORIGINALS["copy"] = shutil.copyfile
        monkeypatch.setattr(shutil, "copyfile", fail)
        path = f"{versions}/staging/html/pdf/book.pdf"
    else:
        def write(ctx):
            raise OSError(err, os.strerror(err), str(ctx.html / "needs.json"))
        steps.append(write)
        path = f"{versions}/staging/html/needs.json"
    status = council_build(monkeypatch, project, output, *steps)
    monkeypatch.undo()
    assert status == 1
    unchanged = f"。公開中のサイト（{output}）は変わっていません"
    described = {
        errno.ENOSPC: f"ディスクの空きが足りません（{path} に書き込めませんでした）",
        errno.EROFS: f"{path} に書き込めません（読み取り専用のファイルシステムです）",
        errno.EACCES: f"{path} に書き込めません（書き込みの権限がありません）",
    }[err]
    assert one_line(capsys) == f"council-build: {described}{unchanged}"
    assert snapshot(output) == expected("v1")
    assert versions_of(output) == ["000001"]
    assert leftovers(output) == []


def test_signal_during_the_switch_lets_it_finish(output, project, monkeypatch, capsys):
    prune = publish.prune

    def signalled_prune(*args):
        os.kill(os.getpid(), signal.SIGTERM)
        return prune(*args)

    monkeypatch.setattr(publish, "prune", signalled_prune)
    assert council_build(monkeypatch, project, output) == 128 + signal.SIGTERM
    assert one_line(capsys) == f"council-build: {output} に公開してから SIGTERM で終了しました"
    assert snapshot(output) == expected("v2")
    assert leftovers(output) == []


@pytest.mark.pdf
def test_full_disk_during_the_real_pdf_copy(output, project, monkeypatch, capsys):
    """The issue's case: ENOSPC while build_pdf puts the PDFs into the output (a hard link
    where the file system allows, which a full disk may refuse too, then a copy)."""
    copyfile, link = shutil.copyfile, os.link
    failed = []

    def full(src, dst, *args, **kwargs):
        if str(dst).endswith(".pdf"):
            failed.append(str(dst))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return copyfile(src, dst, *args, **kwargs)

    def no_room_for_a_link(src, dst, *args, **kwargs):
        if str(dst).endswith(".pdf"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return link(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", full)
    monkeypatch.setattr(os, "link", no_room_for_a_link)
    status = council_build(monkeypatch, project, output, publish.build_html, publish.build_pdf)
    monkeypatch.undo()
    assert status == 1
    assert one_line(capsys) == (f"council-build: ディスクの空きが足りません（{failed[0]} に書き込めませんでした）。"
                                f"公開中のサイト（{output}）は変わっていません")
    assert "/.site.versions/staging/html/pdf/" in failed[0]
    assert snapshot(output) == expected("v1")
    assert leftovers(output) == []


def test_kill_9_of_the_build_stops_its_child(output, project):
    """The kernel sends the direct child SIGTERM when council-build dies (Linux)."""
    script = SLOW_BUILD.replace('["sh", "-c", "sleep 120 & sleep 120; true"]', '["sleep", "120"]')
    proc = subprocess.Popen([sys.executable, "-c", script, "--source", str(project), "--output", str(output)],
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (sleeping := [c for c in _children(proc.pid) if _comm(c) == "sleep"]):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    child = sleeping[0]
    proc.kill()
    proc.wait()
    while _running_in_group(child):
        assert time.monotonic() < deadline, _running_in_group(child)
        time.sleep(0.05)
    assert snapshot(output) == expected("v1")
    publish.build(REPO, output, [fake_site("v3")])
    assert leftovers(output) == []
