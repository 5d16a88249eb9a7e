"""The small Sphinx project that holds one case, for the one-case check.

An author's loop does not need the whole site: a case page links only to its
own works, the clauses and the checklist. This module writes a small project
in ``_build/case/<name>/src`` that holds, as symbolic links, the project's
configuration and, as copies, the case page and the pages whose needs it
refers to (found through the ID index of :mod:`council_publish.id_index`,
transitively: a clause page brings the previous edition's page). Pages the
case merely links to (``[…](../x.md)``, ``{doc}``) that hold no need it refers
to, and the index pages of the included pages' directories, become one-line
stubs with their title. The site's own ``conf.py`` is copied, so
``Path(__file__)`` finds the links beside it.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from council_publish.id_index import CASE_BUILD_DIR, NOT_PAGES, IdMap
from council_publish.pipeline import BuildContext

#: Top-level entries the case project links to as they are (besides ``_*``
#: directories and non-page files): what ``conf.py`` and the extension read.
_SHARED_DIRS = {"sources"}

_TOKEN = re.compile(r"[A-Z][A-Z0-9_]*[A-Z0-9]")
_MD_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)#\s]+\.md)(?:#[^)]*)?\)")
_DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")
_HEADING = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class CaseProject:
    """The small project that holds one case: a build of its own (:class:`BuildContext`
    whose source is ``_build/case/<name>/src`` and whose staging is ``_build/case/<name>``)."""

    case: str      # the case page, relative to the project (POSIX)
    build: BuildContext
    pages: tuple[str, ...]   # real pages linked in (the case first)
    stubs: tuple[str, ...]   # pages replaced by their title

    @property
    def page_html(self) -> Path:
        return self.build.html / (self.case.rsplit(".", 1)[0] + ".html")


def _referenced_ids(text: str, known: IdMap) -> set[str]:
    return {token for token in _TOKEN.findall(text) if token in known}


def _doc_links(page: str, text: str, project: Path) -> set[str]:
    """Pages that *page* links to by Markdown links or ``{doc}`` roles (relative, POSIX)."""
    here = Path(page).parent
    found = set()
    for target in _MD_LINK.findall(text):
        found.add(os.path.normpath(here / target))
    for target in _DOC_ROLE.findall(text):
        target = target.strip()
        base = Path(target.lstrip("/")) if target.startswith("/") else here / target
        for suffix in (".md", ".rst"):
            found.add(os.path.normpath(f"{base}{suffix}"))
    return {Path(p).as_posix() for p in found if (project / p).is_file()}


def select_pages(project: Path, case: str, by_id: IdMap) -> tuple[list[str], list[str]]:
    """The real pages of the case project (the case, then the pages holding needs it refers
    to, transitively) and the pages they link to that become stubs."""
    pages = [case]
    texts: dict[str, str] = {}
    i = 0
    while i < len(pages):
        page = pages[i]
        texts[page] = (project / page).read_text(encoding="utf-8", errors="replace")
        for need_id in sorted(_referenced_ids(texts[page], by_id)):
            for loc in by_id[need_id]:
                # the case's own IDs stay with the case; another page using
                # one is a duplicate (reported), not a page to bring in
                if loc.path not in pages and not any(o.path == page for o in by_id[need_id]):
                    pages.append(loc.path)
        i += 1
    links = {link for page in pages for link in _doc_links(page, texts[page], project)}
    # the index page of each included page's directory (breadcrumbs, "up" links)
    links |= {index for page in pages for index in (f"{Path(page).parent.as_posix()}/index.md",)
              if Path(page).parent != Path(".") and (project / index).is_file()}
    stubs = sorted(links - set(pages))
    return pages, stubs


def prepare(project: Path, case: str, by_id: IdMap) -> CaseProject:
    """Write (or refresh) the case project; unchanged files keep their mtime, so a
    second check is an incremental Sphinx build."""
    pages, stubs = select_pages(project, case, by_id)
    base = project / CASE_BUILD_DIR / Path(case).stem
    proj = CaseProject(case, BuildContext(source=base / "src", staging=base, env=dict(os.environ)),
                       tuple(pages), tuple(stubs))
    src = proj.build.source
    src.mkdir(parents=True, exist_ok=True)
    # path in src -> text to write, Path to link to, or (Path, "copy") to copy
    wanted: dict[Path, str | Path | tuple[Path, str]] = {}
    for entry in sorted(project.iterdir()):
        name = entry.name
        if name in ("conf.py", "_build") or name.startswith("."):
            continue
        if (entry.is_dir() and (name.startswith("_") or name in _SHARED_DIRS)) or (
            entry.is_file() and not name.endswith((".md", ".rst"))
        ):
            wanted[src / name] = entry
    conf = (project / "conf.py").read_text(encoding="utf-8")
    wanted[src / "conf.py"] = conf
    for page in pages:
        # copied, not linked: MyST resolves a page's relative links from its real path
        wanted[src / page] = (project / page, "copy")
    for page in stubs:
        text = (project / page).read_text(encoding="utf-8", errors="replace")
        match = _HEADING.search(text)
        title = match.group(1) if match else Path(page).stem
        wanted[src / page] = f"# {title}\n\n（このページは案件の確認用のビルドには含めていません。）\n"
    toc = "\n".join(p.rsplit(".", 1)[0] for p in [*pages, *stubs])
    wanted[src / "index.md"] = (
        f"# 案件の確認: {case}\n\n```{{toctree}}\n:maxdepth: 1\n\n{toc}\n```\n"
    )
    _sync(src, wanted)
    return proj


def _sync(src: Path, wanted: dict[Path, str | Path | tuple[Path, str]]) -> None:
    for path, content in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple):
            origin = content[0].stat()
            if not path.is_symlink() and path.is_file():
                here = path.stat()
                if (here.st_mtime_ns, here.st_size) == (origin.st_mtime_ns, origin.st_size):
                    continue
            _remove(path)
            shutil.copy2(content[0], path)
        elif isinstance(content, Path):
            if path.is_symlink() and Path(os.readlink(path)) == content:
                continue
            _remove(path)
            path.symlink_to(content)
        else:
            if not path.is_symlink() and path.is_file() and path.read_text(encoding="utf-8") == content:
                continue
            _remove(path)
            path.write_text(content, encoding="utf-8")
    # drop what an earlier check of this case had and this one has not
    for root, dirs, files in os.walk(src, topdown=False):
        for name in [*files, *dirs]:
            path = Path(root) / name
            if path in wanted or any(path in w.parents for w in wanted):
                continue
            _remove(path)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)



def resolve_case(project: Path, case: Path) -> str:
    """The case page relative to the project, or :class:`ValueError` with a Japanese reason."""
    path = case if case.is_absolute() else Path.cwd() / case
    if not path.is_file():
        path = project / case
    if not path.is_file():
        raise ValueError(f"{case} がありません")
    path = path.resolve()
    try:
        rel = path.relative_to(project)
    except ValueError:
        raise ValueError(f"{case} はこのプロジェクト（{project}）のページではありません") from None
    if path.suffix not in (".md", ".rst") or rel.parts[0] in NOT_PAGES or rel.parts[0].startswith((".", "_")):
        raise ValueError(f"{case} は案件のページ（cases/ の .md）ではありません")
    return rel.as_posix()

