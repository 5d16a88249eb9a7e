"""Check one case in seconds: ``council-build --case cases/<file>.md``.

The case is built alone in its small project
(:mod:`council_publish.case_project`), with the site's own ``conf.py`` and
extension, over ``-W``, so every rule that concerns the case applies, and its
cost depends on the case and the standard texts, not on the number of cases.
The one rule that needs the rest of the site, ID uniqueness, is checked
against the ID index of every page (:mod:`council_publish.id_index`). The
built pages then get the publishing step's scan for script
(:mod:`council_publish.output_scan`).

``make preview CASE=cases/<file>.md`` serves the same project with
sphinx-autobuild (:mod:`council_publish.preview`), re-checking IDs before
each rebuild.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from council_publish.case_project import CaseProject, prepare, resolve_case, select_pages
from council_publish.id_index import IdIndex, duplicate_ids, load_index, need_types
from council_publish.pipeline import Interrupted, sphinx_args, started
from council_publish.preview import serve


def _sphinx_args(proj: CaseProject, project: Path) -> list[str]:
    build = proj.build
    # the shared folders are links into the real project: reads stay confined to it
    return sphinx_args(build, "html", build.html, "-D", f"council_confine_root={project.resolve()}")


#: What the waiting child (:func:`waiting_child`) imports while the ID scan runs:
#: Sphinx, the extensions and the stages of this site's (most of a second).
_WARM = ("sphinx.cmd.build", "sphinx.application", "sphinx_needs.needs", "myst_parser.parsers.sphinx_", "furo",
         "sphinx_design", "council.html.case_page", "council.html.render", "council.outputs.exports",
         "council.views.history", "council.resolve", "council.rules.validation")


def waiting_child() -> int:  # pragma: no cover - runs as a child process
    """The Sphinx child started before the case project is ready: it imports
    :data:`_WARM`, then reads its arguments (JSON: ``srcdir``, ``args``) from stdin,
    which the parent writes once the IDs are checked and the project prepared. On
    two cores, the imports and the scan run side by side. Without arguments (the
    parent stopped first) it exits at once."""
    import importlib

    for name in _WARM:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # only a warm-up: the build imports what it needs, and reports what is missing
    data = sys.stdin.buffer.read()
    if not data:
        return 0
    go = json.loads(data)
    return sphinx_child(go["srcdir"], go["args"])


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
        # Sphinx starts (imports) in its child while the IDs are scanned and the project prepared
        child = [sys.executable, "-m", "council_publish.case_check", "--sphinx-child-waiting"]
        with started(child, cwd=project, env=dict(os.environ), stdin=subprocess.PIPE) as proc:
            duplicates, index = check_ids(project, case)
            scanned = time.perf_counter() - start
            for line in duplicates:
                print(line, file=err)
            proj = prepare(project, case, index.by_id())
            err.flush()
            assert proc.stdin is not None
            proc.stdin.write(json.dumps({"srcdir": str(proj.build.source), "args": _sphinx_args(proj, project)}
                                        ).encode())
            proc.stdin.close()
        status = proc.returncode
        scan = []
        if status == 0:
            # the publishing step's scan for script in the output, over the small site
            from council_publish.output_scan import scan_site
            scan = scan_site(proj.build.html, project)
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


def main(argv: list[str] | None = None) -> int:
    """Entry points for the Makefile and for child processes: ``--serve CASE``,
    ``--refresh CASE`` and ``--sphinx-child-waiting`` (:func:`waiting_child`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--sphinx-child-waiting"]:
        return waiting_child()
    parser = argparse.ArgumentParser(prog="python -m council_publish.case_check")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--refresh", type=Path, metavar="CASE",
                      help="check the IDs of this case page and refresh its project (preview's pre-build)")
    what.add_argument("--serve", type=Path, metavar="CASE", help="live preview of this case page (make preview)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--source", type=Path, default=Path.cwd())
    ns = parser.parse_args(args)
    project = ns.source.resolve()
    prepared = _prepare_checked(project, ns.serve or ns.refresh)
    if isinstance(prepared, int):
        return prepared
    proj, duplicates = prepared
    if ns.serve:
        return serve(project, proj, ns.port)
    return 1 if duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
