"""Every page the build reads is a regular file inside the project.

Sphinx finds pages by walking the source directory and reads whatever it finds:
a page that is a symbolic link to a file outside the project publishes that
file, ``cases/x.md -> /dev/zero`` exhausts memory, a FIFO blocks the build,
and a dangling link, a link loop or a directory named ``x.md`` ends in a
traceback. Such entries are reported here (``council.confined_read``, with the
path and a Japanese message) while the configuration is read and excluded
before Sphinx looks for pages, so nothing else ever opens them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.matching import Matcher

from council.config import council_config

logger = logging.getLogger(__name__)


def page_problem(path: Path, root: Path) -> str | None:
    """Why the page at *path* may not be read, or None when it is a regular
    file that resolves inside *root*."""
    try:
        info = path.lstat()
    except OSError:
        return "ファイルを読めません"
    if stat.S_ISLNK(info.st_mode):
        try:
            target = path.resolve(strict=True)
        except RuntimeError:
            return "シンボリックリンクが循環しています"
        except OSError as exc:
            if exc.errno == 40:  # ELOOP
                return "シンボリックリンクが循環しています"
            return "リンク先のないシンボリックリンクです"
        if not target.is_relative_to(root.resolve()):
            return "プロジェクトの外を指すシンボリックリンクです"
        info = target.stat()
    if stat.S_ISDIR(info.st_mode):
        return "ページの名前のディレクトリです"
    if not stat.S_ISREG(info.st_mode):
        return "通常のファイルではありません（デバイス・FIFO など）"
    return None


def is_confined_page(path: Path, root: Path) -> bool:
    return page_problem(path, root) is None


def refused_pages(root: Path, suffixes: Iterable[str], exclude: Iterable[str],
                  confine: Path | None = None) -> Iterator[tuple[str, str]]:
    """``(relative path, reason)`` of every would-be page below *root* that may not be
    read; links must resolve inside *confine* (default: *root*)."""
    confine = confine or root
    suffixes = tuple(suffixes)
    matcher = Matcher(list(exclude))
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = Path(dirpath).relative_to(root)
        kept = []
        for name in sorted(dirnames):
            rel = (rel_dir / name).as_posix()
            if name.startswith(".") or matcher(rel):
                continue
            if name.endswith(suffixes):
                # A directory (or a link to one) named like a page.
                problem = page_problem(Path(dirpath, name), confine) or "ページの名前のディレクトリです"
                yield rel, problem
                continue
            if Path(dirpath, name).is_symlink():
                # Sphinx follows linked folders: one must stay inside the project.
                try:
                    inside = Path(dirpath, name).resolve(strict=True).is_relative_to(confine.resolve())
                except (OSError, RuntimeError):
                    inside = False
                if not inside:
                    yield rel, "プロジェクトの外を指すか循環するフォルダのシンボリックリンクです"
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            rel = (rel_dir / name).as_posix()
            if not name.endswith(suffixes) or matcher(rel):
                continue
            problem = page_problem(Path(dirpath, name), confine)
            if problem:
                yield rel, problem


def _config_inited(app: Sphinx, config: Config) -> None:
    root = Path(app.srcdir)
    # The one-case check (council_publish.case_check) builds a small project inside the
    # real one, whose shared folders are links into the real project.
    confine = Path(council_config(app).confine_root or root)
    suffixes = (".md", ".rst", *(config.source_suffix or ()))
    refused = list(refused_pages(root, suffixes, config.exclude_patterns, confine))
    config.exclude_patterns.extend(rel for rel, _ in refused)
    app.council_refused_pages = refused  # type: ignore[attr-defined]


def _builder_inited(app: Sphinx) -> None:
    # Reported once the environment exists (the logger resolves locations through it).
    root = Path(app.srcdir)
    for rel, problem in getattr(app, "council_refused_pages", ()):
        logger.warning(
            f"{problem}。このページは読み込みません。プロジェクトの中の通常のファイルにしてください",
            type="council", subtype="confined_read", location=f"{root / rel}:1",
        )


def setup_confined_reads(app: Sphinx) -> None:
    # Before any other handler looks at the pages.
    app.connect("config-inited", _config_inited, priority=100)
    app.connect("builder-inited", _builder_inited, priority=100)
