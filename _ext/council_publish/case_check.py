"""Check one case in seconds: ``council-build --case cases/<file>.md``.

An author's loop does not need the whole site: a case page links only to its
own works, the clauses and the checklist. This module builds a small Sphinx
project in ``_build/case/<name>/src`` that holds, as symbolic links, the
project's configuration and, as copies, the case page and the pages whose needs it refers to
(found through the ID index below, transitively: a clause page brings the
previous edition's page). Pages the case merely links to (``[…](../x.md)``,
``{doc}``) that hold no need it refers to, and the index pages of the
included pages' directories, become one-line stubs with their title. The site's own ``conf.py`` (copied, so ``Path(__file__)`` finds the
links beside it) and extension run over that project with ``-W``, so every
rule that concerns the case applies, and its cost depends on the case and the
standard texts, not on the number of cases. The built pages then get the
publishing step's scan for script (:mod:`council_publish.output_scan`).

The one rule that needs the rest of the site, ID uniqueness, is checked
against an index of the ``id`` of every need directive in every page, made by
scanning the sources as text (no Sphinx read) and cached per file by
modification time and size in ``_build/case/ids.pickle``: after the first run
only changed files are read again.

The scan is written here rather than taken from sphinx-needs: sphinx-needs
learns IDs only by parsing every page with Sphinx, which is the cost this
command avoids. It recognises the directive forms the site uses (MyST
```` ```{type} ```` / ``:::{type}`` with ``id:`` in YAML front matter or
``:id:`` options, and reST ``.. type::`` with ``:id:``).

``make preview CASE=cases/<file>.md`` serves the same project with
sphinx-autobuild, re-checking IDs before each rebuild.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shlex
import shutil
import signal
import sys
import time
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from council_publish.pipeline import Interrupted, run_in_group

#: Where the case projects and the ID index live, relative to the project.
CASE_BUILD_DIR = Path("_build") / "case"
INDEX_FILE = "ids.pickle"
#: Bump when the index's shape or the scan changes.
INDEX_VERSION = 1

#: Top-level entries of the project that are never pages.
_NOT_PAGES = {"_build", "sources", "tests", "node_modules", "README.md"}
#: Top-level entries the case project links to as they are (besides ``_*``
#: directories and non-page files): what ``conf.py`` and the extension read.
_SHARED_DIRS = {"sources"}

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}")
_REST = re.compile(r"^(?P<indent>\s*)\.\.\s+(?P<name>[\w-]+)::")
_YAML_ID = re.compile(r"^\s*id:\s*['\"]?([^\s'\"]+)['\"]?\s*$")
_OPTION_ID = re.compile(r"^\s*:id:\s*['\"]?([^\s'\"]+)['\"]?\s*$")
_OPTION = re.compile(r"^\s*:[\w-]+:")
_TOKEN = re.compile(r"[A-Z][A-Z0-9_]*[A-Z0-9]")
_MD_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)#\s]+\.md)(?:#[^)]*)?\)")
_DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")
_HEADING = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)


class NeedLocation(NamedTuple):
    """A need's ID where it is written: file (relative, POSIX) and the directive's line."""

    id: str
    path: str
    line: int
    type: str


def need_types(project: Path) -> dict[str, str]:
    """Need type name -> title, from the content model (``ubproject.toml``)."""
    data = tomllib.loads((project / "ubproject.toml").read_text(encoding="utf-8"))
    return {name: decl.get("title", name) for name, decl in data.get("needs", {}).get("types", {}).items()}


def scan_text(text: str, types: Iterable[str]) -> list[tuple[str, int, str]]:
    """``(id, line, type)`` of every need directive of *text*; line of the directive (1-based)."""
    names = "|".join(re.escape(name) for name in sorted(set(types), key=len, reverse=True))
    if not names:
        return []
    # one search over the whole text, not a match per line: at N = 1,000 the
    # scan reads about 40 MB of pages
    opener = re.compile(
        rf"^[ \t]*(?:(?:`{{3,}}|:{{3,}})\{{(?P<fenced>{names})\}}|\.\.[ \t]+(?P<rest>{names})::)", re.MULTILINE)
    found: list[tuple[str, int, str]] = []
    line, pos = 1, 0
    for match in opener.finditer(text):
        line += text.count("\n", pos, match.start())
        pos = match.start()
        end = text.find("\n", match.end())
        # the options follow the directive's first line (a window, not the whole rest)
        block = text[end + 1: end + 1 + 1500] if end >= 0 else ""
        need_id = _directive_id(block.splitlines(), 0, rest=bool(match.group("rest")))
        if need_id:
            found.append((need_id, line, match.group("fenced") or match.group("rest")))
    return found


def _directive_id(lines: list[str], start: int, rest: bool) -> str | None:
    """The ``id`` in the options just below a directive's first line."""
    if not rest and start < len(lines) and lines[start].strip() == "---":
        for line in lines[start + 1:]:
            if line.strip() == "---":
                return None
            match = _YAML_ID.match(line)
            if match:
                return match.group(1)
        return None
    for line in lines[start:]:
        if not _OPTION.match(line):
            return None
        match = _OPTION_ID.match(line)
        if match:
            return match.group(1)
    return None


def page_files(project: Path) -> Iterator[Path]:
    """Every page of the project (``*.md``, ``*.rst``) outside build, tool and source-text directories."""
    for root, dirs, files in os.walk(project):
        here = Path(root)
        top = here == project
        dirs[:] = sorted(
            d for d in dirs
            if not d.startswith((".", "_")) and not (top and d in _NOT_PAGES)
        )
        for name in sorted(files):
            if name.endswith((".md", ".rst")) and not (top and name in _NOT_PAGES):
                yield here / name


class IdIndex:
    """Need IDs of every page, rescanning only files whose mtime or size changed."""

    def __init__(self, project: Path, types: Iterable[str]) -> None:
        self.project = project
        self.types = tuple(types)
        self.path = project / CASE_BUILD_DIR / INDEX_FILE
        self.files: dict[str, list] = {}
        self.rescanned = 0
        self._by_id: dict[str, list[NeedLocation]] | None = None

    def load(self) -> None:
        try:
            data = pickle.loads(self.path.read_bytes())
        except Exception:  # noqa: BLE001 - a missing or unreadable cache is rebuilt
            return
        if not isinstance(data, dict):
            return
        if data.get("version") == INDEX_VERSION and data.get("types") == list(self.types):
            self.files = data.get("files", {})

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps({"version": INDEX_VERSION, "types": list(self.types), "files": self.files},
                                     protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(self.path)

    def update(self) -> bool:
        """Rescan what changed; whether anything did."""
        fresh: dict[str, list] = {}
        for path in page_files(self.project):
            rel = path.relative_to(self.project).as_posix()
            st = path.stat()
            stamp = [st.st_mtime_ns, st.st_size]
            known = self.files.get(rel)
            if known and known[0] == stamp:
                fresh[rel] = known
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            fresh[rel] = [stamp, scan_text(text, self.types)]
            self.rescanned += 1
        changed = bool(self.rescanned) or fresh.keys() != self.files.keys()
        self.files = fresh
        self._by_id = None
        return changed

    def locations(self) -> Iterator[NeedLocation]:
        for rel, (_stamp, needs) in self.files.items():
            for need_id, line, need_type in needs:
                yield NeedLocation(need_id, rel, line, need_type)

    def by_id(self) -> IdMap:
        if self._by_id is None:
            self._by_id = IdMap(self.files)
        return self._by_id


class IdMap:
    """ID -> where it is written, built once per check in one pass over the index.

    Locations are made only for the IDs asked for: at N = 1,000 the index holds
    about 80,000 IDs and the check looks at a few hundred.
    """

    def __init__(self, files: dict[str, list]) -> None:
        self.files = files
        raw: dict[str, list] = {}
        for rel, (_stamp, needs) in files.items():
            for need in needs:
                hits = raw.get(need[0])
                if hits is None:
                    raw[need[0]] = [(rel, need)]
                else:
                    hits.append((rel, need))
        self.raw = raw

    def __contains__(self, need_id: str) -> bool:
        return need_id in self.raw

    def __getitem__(self, need_id: str) -> list[NeedLocation]:
        return [NeedLocation(need[0], rel, need[1], need[2]) for rel, need in self.raw[need_id]]

    def ids_in(self, page: str) -> list[str]:
        entry = self.files.get(page)
        return [need[0] for need in entry[1]] if entry else []


def load_index(project: Path) -> IdIndex:
    index = IdIndex(project, need_types(project))
    index.load()
    if index.update() or not index.path.exists():
        index.save()
    return index


def duplicate_ids(page: str, by_id: IdMap, titles: dict[str, str],
                  reported_by_sphinx: Iterable[str] = ()) -> list[str]:
    """One line per need of *page* whose ID is also written in another page.

    Pages in *reported_by_sphinx* are part of the case project: sphinx-needs
    reports a duplicate with them itself.
    """
    skip = {page, *reported_by_sphinx}
    lines = []
    for need_id in dict.fromkeys(by_id.ids_in(page)):
        locs = by_id[need_id]
        own = [loc for loc in locs if loc.path == page]
        others = [loc for loc in locs if loc.path not in skip]
        if others:
            for loc in own:
                where = "、".join(f"{o.path}:{o.line}" for o in sorted(others, key=lambda o: (o.path, o.line)))
                lines.append(
                    f"{loc.path}:{loc.line}: WARNING: {titles.get(loc.type, loc.type)}の ID '{loc.id}' は "
                    f"{where} でも使われています。ID はサイト全体で一意にしてください [council.duplicate_id]"
                )
    return sorted(lines, key=_line_key)


def _line_key(line: str) -> tuple[str, int]:
    path, _, rest = line.partition(":")
    number = rest.partition(":")[0]
    return path, int(number) if number.isdigit() else 0


@dataclass(frozen=True)
class CaseProject:
    """The small project that holds one case: where it is built."""

    case: str      # the case page, relative to the project (POSIX)
    base: Path     # _build/case/<name>
    pages: tuple[str, ...]   # real pages linked in (the case first)
    stubs: tuple[str, ...]   # pages replaced by their title

    @property
    def srcdir(self) -> Path:
        return self.base / "src"

    @property
    def outdir(self) -> Path:
        return self.base / "html"

    @property
    def doctrees(self) -> Path:
        return self.base / "doctrees"

    @property
    def page_html(self) -> Path:
        return self.outdir / (self.case.rsplit(".", 1)[0] + ".html")


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
    proj = CaseProject(case, base, tuple(pages), tuple(stubs))
    src = proj.srcdir
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


def sphinx_command(proj: CaseProject, project: Path) -> list[str]:
    """sphinx-build over the case project, run through :func:`sphinx_child` so that
    its messages name the project's files, not the case project's links."""
    return [
        sys.executable, "-m", "council_publish.case_check", "--sphinx-child", str(proj.srcdir), str(project), "--",
        "-b", "html", "-W", "--keep-going", "-q", "-d", str(proj.doctrees),
        # the shared folders are links into the real project: reads stay confined to it
        "-D", f"council_confine_root={project.resolve()}",
        str(proj.srcdir), str(proj.outdir),
    ]


class _Rewrite:
    """A text stream that writes to *target* with the case project's paths made
    relative to the real project (``…/_build/case/x/src/cases/x.md`` → ``cases/x.md``)."""

    def __init__(self, target, srcdir: str) -> None:
        self.target = target
        self.prefix = srcdir.rstrip("/") + "/"
        self.buffer = ""

    def write(self, text: str) -> int:
        self.buffer += text
        *complete, self.buffer = self.buffer.split("\n")
        for line in complete:
            self.target.write(line.replace(self.prefix, "") + "\n")
        return len(text)

    def flush(self) -> None:
        if self.buffer:
            self.target.write(self.buffer.replace(self.prefix, ""))
            self.buffer = ""
        self.target.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str):
        return getattr(self.target, name)


def sphinx_child(srcdir: str, args: list[str]) -> int:  # pragma: no cover - runs as a child process
    from sphinx.cmd.build import build_main

    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Rewrite(out, srcdir), _Rewrite(err, srcdir)
    try:
        return build_main(args)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = out, err


def check_ids(project: Path, case: str) -> tuple[list[str], IdIndex]:
    """The duplicate-ID lines of *case* against the whole project (fast scan)."""
    index = load_index(project)
    by_id = index.by_id()
    pages, _stubs = select_pages(project, case, by_id)
    titles = need_types(project)
    return duplicate_ids(case, by_id, titles, reported_by_sphinx=pages[1:]), index


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
    if path.suffix not in (".md", ".rst") or rel.parts[0] in _NOT_PAGES or rel.parts[0].startswith((".", "_")):
        raise ValueError(f"{case} は案件のページ（cases/ の .md）ではありません")
    return rel.as_posix()


def check_case(project: Path, case_arg: Path, out=None, err=None) -> int:
    """``council-build --case``: 0 when the case passes every rule, 1 when not,
    2 when the argument is not a page, 128 + signal when interrupted."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        case = resolve_case(project, case_arg)
    except ValueError as exc:
        print(f"council-build: {exc}", file=err)
        return 2
    start = time.perf_counter()
    saved = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        duplicates, index = check_ids(project, case)
        scanned = time.perf_counter() - start
        for line in duplicates:
            print(line, file=err)
        proj = prepare(project, case, index.by_id())
        err.flush()
        status = run_in_group(sphinx_command(proj, project), cwd=project, env=dict(os.environ))
        scan = []
        if status == 0:
            # the publishing step's scan for script in the output, over the small site
            from council_publish.output_scan import scan_site
            scan = scan_site(proj.outdir, project)
            for finding in scan:
                print(f"council-output-scan: {finding}", file=err)
    except (Interrupted, KeyboardInterrupt) as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        print(f"council-build: {signal.Signals(signum).name} を受けて中断しました", file=err)
        return 128 + signum
    except OSError as exc:
        print(f"council-build: {exc.filename or case} を読み書きできません（{exc.strerror or exc}）", file=err)
        return 1
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    elapsed = time.perf_counter() - start
    timing = f"{elapsed:.1f} 秒、うち ID の走査 {scanned:.2f} 秒（{len(index.files)} ページ）"
    if duplicates or status != 0 or scan:
        count = f"重複した ID {len(duplicates)} 件、" if duplicates else ""
        count += f"出力の検査 {len(scan)} 件、" if scan else ""
        print(f"council-build: {case} に問題があります（{count}sphinx-build の終了コード {status}）。"
              f"上の各行を直してください（{timing}）", file=err)
        return 1
    html = proj.page_html.relative_to(project) if proj.page_html.is_relative_to(project) else proj.page_html
    print(f"council-build: {case} は検査を通りました（{timing}）: {html}", file=out)
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def _autobuild() -> Path | None:
    """sphinx-autobuild beside this Python (the ``preview`` extra), if installed."""
    path = Path(sys.executable).with_name("sphinx-autobuild")
    return path if path.exists() else None


def _prepare_checked(project: Path, case_arg: Path) -> int | tuple[CaseProject, list[str]]:
    """The case's project, refreshed after its IDs were checked against the site's
    (duplicates printed), or exit status 2 for a case argument that names no case."""
    try:
        case = resolve_case(project, case_arg)
    except ValueError as exc:
        print(f"council-build: {exc}", file=sys.stderr)
        return 2
    duplicates, index = check_ids(project, case)
    for line in duplicates:
        print(line, file=sys.stderr)
    return prepare(project, case, index.by_id()), duplicates


def serve(project: Path, case_arg: Path, port: int = 8000) -> int:
    """``make preview CASE=…``: serve the case project with sphinx-autobuild, checking IDs before each build."""
    prepared = _prepare_checked(project, case_arg)
    if isinstance(prepared, int):
        return prepared
    proj, _duplicates = prepared
    autobuild = _autobuild()
    if autobuild is None:
        print("council-build: sphinx-autobuild がありません（pip install -e '.[preview]'）", file=sys.stderr)
        return 2
    # Each rebuild first re-checks the IDs and refreshes the copies of the pages;
    # changes are watched in the project's page directories, not in the copies.
    pre = shlex.join([sys.executable, "-m", "council_publish.case_check", "--source", str(project),
                      "--refresh", str(project / proj.case)])
    watched = sorted({str((project / page).parent) for page in proj.pages})
    cmd = [str(autobuild), "-b", "html", "--keep-going", "--port", str(port),
           *(arg for d in watched for arg in ("--watch", d)), "--ignore", f"{project / CASE_BUILD_DIR}/*",
           "--pre-build", pre, "-d", str(proj.doctrees), str(proj.srcdir), str(proj.outdir)]
    print(f"council-build: {proj.case} を http://127.0.0.1:{port}/{proj.case.rsplit('.', 1)[0]}.html で表示します",
          flush=True)
    try:
        return run_in_group(cmd, cwd=project, env=dict(os.environ))
    except KeyboardInterrupt:
        return 128 + signal.SIGINT


def main(argv: list[str] | None = None) -> int:
    """Entry points for the Makefile and for child processes: ``--serve CASE``,
    ``--refresh CASE`` and ``--sphinx-child SRCDIR PROJECT -- ARGS``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--sphinx-child"]:
        srcdir, _project, sep, *rest = args[1:]
        return sphinx_child(srcdir, rest)
    parser = argparse.ArgumentParser(prog="python -m council_publish.case_check")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--refresh", type=Path, metavar="CASE",
                      help="check the IDs of this case page and refresh its project (preview's pre-build)")
    what.add_argument("--serve", type=Path, metavar="CASE", help="live preview of this case page (make preview)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--source", type=Path, default=Path.cwd())
    ns = parser.parse_args(args)
    project = ns.source.resolve()
    if ns.serve:
        return serve(project, ns.serve, ns.port)
    prepared = _prepare_checked(project, ns.refresh)
    if isinstance(prepared, int):
        return prepared
    return 1 if prepared[1] else 0

if __name__ == "__main__":
    sys.exit(main())
