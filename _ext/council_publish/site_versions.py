"""The published output as numbered versions behind one symlink, with a lock.

See :mod:`council_publish.cli` for the layout and the guarantees. This module
holds the mechanics: which outputs are allowed, the lock, the promotion of a
staging directory to a version, the atomic switch of the symlink, the
migration of a real directory, the repair after a crash, and pruning.

Done with flock(2), rename(2) and renameat2(2) directly rather than with a
deployment tool: the guarantees come from those calls, and the build machine
needs nothing else. Every refusal or failure is a one-line Japanese message
(:class:`OutputRefused`, :class:`OutputLocked`).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: Entries of a directory published before versions existed (today's layout).
SITE_ENTRIES = frozenset({"html", "latex"})

#: Where, inside the project, an output may go.
BUILD_DIR = "_build"

_VERSION = re.compile(r"^\d{6}$")


class OutputRefused(Exception):
    """The output path would put the project or an unrelated directory at risk."""


class OutputLocked(Exception):
    """Another build holds the lock of this output."""


@dataclass(frozen=True)
class Layout:
    """The paths that make up one published output."""

    output: Path

    @property
    def versions(self) -> Path:
        return self.output.with_name(f".{self.output.name}.versions")

    @property
    def staging(self) -> Path:
        return self.versions / "staging"

    @property
    def lock(self) -> Path:
        return self.versions / "lock"

    @property
    def next_link(self) -> Path:
        """The new symlink, made here and renamed over the output."""
        return self.versions / "next-link"

    def version_names(self) -> list[str]:
        if not self.versions.is_dir():
            return []
        return sorted(p.name for p in self.versions.iterdir() if _VERSION.match(p.name) and p.is_dir())

    def current(self) -> str | None:
        """The version the output's symlink names, if it is one of ours."""
        try:
            target = os.readlink(self.output)
        except OSError:
            return None
        parts = Path(target).parts
        if len(parts) == 2 and parts[0] == self.versions.name and _VERSION.match(parts[1]):
            return parts[1]
        return None

    def link_target(self, version: str) -> str:
        return f"{self.versions.name}/{version}"


# ------------------------------------------------------------------ allowed paths
def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def resolve_output(source: Path, output: Path) -> Layout:
    """The layout of *output*, or :class:`OutputRefused` saying why it is not allowed.

    *output* is made absolute and normalised (``..`` removed), then its parent
    is resolved through symlinks; its last component is kept, since it is the
    symlink this build manages.
    """
    source = source.resolve()
    absolute = Path(os.path.abspath(output))
    if absolute.parent == absolute:  # the file system root
        raise OutputRefused(f"出力先 {absolute} はプロジェクト {source} を含むディレクトリです")
    out = absolute.parent.resolve() / absolute.name
    build_dir = source / BUILD_DIR  # not resolved: a _build linked into cases/ is cases/
    advice = "プロジェクトの中では _build/ の下（例: _build/site）を、またはプロジェクトの外を指定してください"
    if _within(source, out):
        what = "そのもの" if out == source else "を含むディレクトリ"
        raise OutputRefused(f"出力先 {out} はプロジェクト {source} {what}です。{advice}")
    if _within(out, source) and not (build_dir in out.parents):
        top = out.relative_to(source).parts[0]
        if out == build_dir:
            where = f"プロジェクトの {BUILD_DIR}/ そのもの"
        elif (source / top).is_dir():
            where = f"プロジェクトの {top}/ の中"
        else:
            where = "プロジェクトの中"
        raise OutputRefused(f"出力先 {out} は{where}です。{advice}")
    layout = Layout(out)
    if layout.versions.is_symlink() or (layout.versions.exists() and not layout.versions.is_dir()):
        raise OutputRefused(f"{layout.versions} がディレクトリではありません（版の置き場所に使えません）")
    if out.is_symlink():
        if layout.current() is None:
            raise OutputRefused(
                f"出力先 {out} はこのビルドが作ったものではないシンボリックリンク（→ {os.readlink(out)}）です。"
                "別の出力先を指定するか、リンクを削除してください"
            )
    elif out.exists() and not out.is_dir():
        raise OutputRefused(f"出力先 {out} はファイルです。ディレクトリの場所を指定してください")
    elif out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in SITE_ENTRIES)
        if foreign:
            listed = "、".join(foreign[:3]) + ("…" if len(foreign) > 3 else "")
            raise OutputRefused(
                f"出力先 {out} には公開サイトではないもの（{listed}）があるため置き換えません。"
                "空のディレクトリか、新しい場所を指定してください"
            )
    return layout


# ------------------------------------------------------------------------- lock
def _holder(lock: Path) -> str:
    for _ in range(20):  # the holder writes its line just after taking the lock
        try:
            info = json.loads(lock.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            info = None
        if isinstance(info, dict):
            return f"プロセス {info.get('pid')}、{info.get('started')} 開始"
        time.sleep(0.05)
    return "プロセス不明"


@contextmanager
def locked(layout: Layout) -> Iterator[None]:
    """Hold the output's lock for the duration of the build.

    flock(2) locks die with their process, so the lock of a build that was
    killed is free at once; its file, still naming the dead process, is then
    overwritten. The file is never removed (removing a lock file lets two
    builds lock two different files).
    """
    layout.versions.mkdir(parents=True, exist_ok=True)
    fd = os.open(layout.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputLocked(
                f"出力先 {layout.output} には別のビルドが実行中です（{_holder(layout.lock)}）。"
                "終わってから実行してください"
            ) from None
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "started": started}).encode() + b"\n", 0)
        yield
    finally:
        os.close(fd)  # releases the lock


# ------------------------------------------------------------ switch and repair
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap *a* and *b* atomically (Linux renameat2); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _next_serial(layout: Layout) -> int:
    names = layout.version_names()
    return int(names[-1]) + 1 if names else 1


def repair(layout: Layout) -> None:
    """Undo what a killed build left behind (call with the lock held)."""
    shutil.rmtree(layout.staging, ignore_errors=True)
    nxt = layout.next_link
    if nxt.is_symlink():
        nxt.unlink()
    elif nxt.is_dir():  # a migrated site whose move into the versions was cut short
        os.rename(nxt, layout.versions / f"{_next_serial(layout):06d}")
    if layout.current() is None and not os.path.lexists(layout.output):
        names = layout.version_names()
        if names:  # cut between the two renames of a migration without renameat2
            link(layout, names[-1])


def promote(layout: Layout, staging: Path) -> str:
    """Rename a complete staging directory to the next version number.

    When the output is still a real directory, one number is left free below
    the new version for it (see :func:`link`).
    """
    migrating = layout.output.is_dir() and not layout.output.is_symlink()
    name = f"{_next_serial(layout) + migrating:06d}"
    os.rename(staging, layout.versions / name)
    return name


def link(layout: Layout, version: str) -> str | None:
    """Point the output at *version* atomically; the version it replaced, if any.

    A real directory at the output (the layout before versions) becomes a
    version itself, kept as the previous one.
    """
    previous = layout.current()
    nxt = layout.next_link
    if os.path.lexists(nxt):
        nxt.unlink()
    os.symlink(layout.link_target(version), nxt)
    if layout.output.is_dir() and not layout.output.is_symlink():
        migrated = f"{int(version) - 1:06d}"  # left free by promote()
        if exchange(nxt, layout.output):
            try:  # the new site is served already; repair() finishes this move if it fails
                os.rename(nxt, layout.versions / migrated)
            except OSError:
                pass
        else:
            os.rename(layout.output, layout.versions / migrated)
            os.rename(nxt, layout.output)
        previous = migrated
    else:
        os.replace(nxt, layout.output)
    _fsync_dir(layout.output.parent)
    return previous


def prune(layout: Layout, keep: set[str]) -> list[str]:
    """Remove versions other than *keep*; the names that could not be removed."""
    failed = []
    for name in layout.version_names():
        if name in keep:
            continue
        try:
            shutil.rmtree(layout.versions / name)
        except OSError:
            failed.append(name)
    return failed
