"""Build the whole site and publish it so that a complete site is served at every instant.

Layout of an output ``OUT`` (e.g. ``_build/site``)::

    OUT -> .OUT.versions/000042        the published site: a relative symlink
    .OUT.versions/000041               the previous publication (kept)
    .OUT.versions/000042               the current one
    .OUT.versions/staging/             the build in progress (removed on failure)
    .OUT.versions/lock                 flock(2) lock: pid and start time of the build
    .OUT.versions/kept/                the last HTML build, built on by the next (council_publish.kept_build)
    .OUT.versions/check-cache/         the output checks' results per file (council_publish.output_cache)
    .OUT.versions/pdf-cache/           PDFs by their LaTeX input (council_publish.pdf_jobs)

Each build runs every step into ``staging``, renames it to the next version
number, and swaps the symlink with rename(2) (a new link is made beside it and
renamed over ``OUT``): readers see the old site or the new one, never a part
of either, and a kill -9 at any point leaves ``OUT`` pointing at a complete
version. Older versions than the previous one are pruned. An ``OUT`` that is
still a real directory (the layout before versions) is exchanged with the new
symlink in one ``renameat2(RENAME_EXCHANGE)`` call where the kernel supports
it, then kept as the previous version; elsewhere the two renames leave a short
window without ``OUT``, which the next build repairs first.

Allowed outputs: any path outside the project that is not an ancestor of it,
or a path strictly below the project's ``_build/`` directory. The output's
parent is resolved through symlinks first, so ``_build/x`` where ``_build``
or ``x``'s parent links into ``cases/`` counts as ``cases/``. The project
itself, a directory containing it, ``_build`` itself and any other path inside
the project (``cases``, ``.git`` …) are refused (exit status 2, nothing
written), as are a symlink at ``OUT`` that this build did not make, a
``.OUT.versions`` that is not a real directory and an existing directory that
does not look like a published site (only ``html/`` and ``latex/``).

SIGINT and SIGTERM stop the child processes' groups and remove staging (see
:func:`council_publish.pipeline.run_in_group`). After a kill -9 of council-build
itself, its direct child gets SIGTERM from the kernel (Linux), but a
grandchild (latexmk under make) may finish on its own; it writes only into
the abandoned staging directory, which the next build removes.

Written by hand rather than with a deployment tool: the guarantees are a few
system calls (flock, rename, renameat2) on the build machine's own disk.

Usage: ``council-build [--output _build/site] [--source .]``;
``council-build --case cases/<file>.md`` checks one case (:mod:`council_publish.case_check`).
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from council_publish import kept_build
from council_publish.pipeline import BuildContext, BuildFailed, Interrupted, run, sphinx
from council_publish.sphinx_steps import build_html, build_html_and_pdf, build_pdf
from council_publish.site_versions import Layout, OutputLocked, OutputRefused, locked, promote, prune, repair, resolve_output
from council_publish.site_versions import link as switch_link

__all__ = ["STEPS", "BuildContext", "BuildFailed", "OutputRefused", "OutputLocked", "build", "build_html",
           "build_html_and_pdf", "build_pdf", "main", "run", "sphinx", "without_pdf"]


#: The steps after the HTML and the PDF, by module: imported when a build first
#: needs them (:func:`__getattr__`), so ``council-build --case``, which runs none of
#: them, starts without loading the whole extension (most of a second).
_LATER_STEPS = {
    "fill_pdf_sizes": "council.html.downloads",
    "build_search_index": "council_publish.search_index",
    "normalize_archives_step": "council.outputs.reproducible",
    "check_output_step": "council_publish.checks",
    "index_and_check_step": "council_publish.checks",
    "write_manifest_step": "council_publish.manifest",
    "sign_manifest_step": "council_publish.signature",
    # the checks that check_output_step runs side by side (council_publish.checks)
    "scan_output_step": "council_publish.output_scan",
    "scan_published_step": "council_publish.published_privacy",
    "check_links_step": "council_publish.linkcheck",
}
#: The later steps of a build, in order.
_LATER_ORDER = ("fill_pdf_sizes", "normalize_archives_step", "index_and_check_step",
                "write_manifest_step", "sign_manifest_step")


def __getattr__(name: str) -> object:
    """``STEPS`` and the later steps' functions, made on first use (PEP 562)."""
    if name != "STEPS" and name not in _LATER_STEPS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    later = {step: getattr(importlib.import_module(module), step) for step, module in _LATER_STEPS.items()}
    globals().update(later)
    # The build, in order. Each step reads ``ctx.source`` and writes below
    # ``ctx.staging``; later steps may read what earlier ones wrote. Archives
    # are normalised; then the search index is made from the finished HTML while
    # the output is checked (script, personal data, links: side by side; the
    # links once the index is in place), and the manifest written last, over
    # the final output.
    globals().setdefault("STEPS", [build_html_and_pdf, *(later[step] for step in _LATER_ORDER)])
    return globals()[name]


def without_pdf(steps: list[Callable[[BuildContext], None]]) -> list[Callable[[BuildContext], None]]:
    """*steps* (such as :data:`STEPS`) with the HTML alone where the PDFs were made."""
    return [build_html if step is build_html_and_pdf else step for step in steps if step is not build_pdf]


def _steps() -> list[Callable[[BuildContext], None]]:
    """:data:`STEPS` (a name this module's own code does not see until it is made)."""
    return globals()["STEPS"] if "STEPS" in globals() else __getattr__("STEPS")


def source_date_epoch(source: Path) -> str:
    """The last commit's time, so two builds of one commit are identical."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=source,
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = ""
    return out or "0"


class _Signals:
    """SIGINT/SIGTERM while the build runs raise :class:`Interrupted`; while
    the new version is switched in, they wait until it is done."""

    critical = False
    pending: int | None = None

    @classmethod
    def handler(cls, signum: int, frame: object) -> None:
        if cls.critical:
            cls.pending = signum
            return
        raise Interrupted(signum)


def publish(layout: Layout, staging: Path) -> None:
    """Make *staging* the published version, keep the previous one, prune the rest.

    Either the output still serves the old version when this raises, or the
    new one is served and this returns.
    """
    _Signals.critical = True
    try:
        version = promote(layout, staging)
        try:
            previous = switch_link(layout, version)
        except BaseException:
            if layout.current() != version:
                shutil.rmtree(layout.versions / version, ignore_errors=True)
            raise
        failed = prune(layout, {version} | ({previous} if previous else set()))
        if failed:
            print(f"council-build: 古い版 {', '.join(failed)} を削除できませんでした（次回のビルドで再び削除します）",
                  file=sys.stderr)
    finally:
        _Signals.critical = False


def build(source: Path, output: Path, steps: list[Callable[[BuildContext], None]] | None = None) -> None:
    """Run every step into a staging directory under the output's lock, then publish it.

    Raises :class:`OutputRefused` before anything is written when *output* is
    not allowed, :class:`OutputLocked` when another build holds it.
    """
    layout = resolve_output(source, output)
    with locked(layout):
        repair(layout)
        staging = layout.staging
        staging.mkdir()
        env = dict(os.environ)
        env.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(source))
        kept = kept_build.open_kept(staging, source, env)
        ctx = BuildContext(source=source, staging=staging, env=env, kept=kept.path if kept else None)
        try:
            for step in steps if steps is not None else _steps():
                step(ctx)
            shutil.rmtree(ctx.doctrees, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        try:
            publish(layout, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        kept_build.close_kept(kept)


def describe_os_error(exc: OSError, output: Path) -> str:
    """One Japanese line for a file-system error of the build itself."""
    where = exc.filename or output
    if exc.errno == errno.EROFS:
        return f"{where} に書き込めません（読み取り専用のファイルシステムです）"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{where} に書き込めません（書き込みの権限がありません）"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"ディスクの空きが足りません（{where} に書き込めませんでした）"
    return f"{where} でファイル操作に失敗しました（{exc.strerror or exc}）"


def main(argv: list[str] | None = None) -> int:
    """``council-build``: exit 0 when published; 1 when a step failed; 2 when the
    output is refused; 75 when another build holds the output; 128 + the signal
    number when interrupted. Every failure is one line on stderr."""
    parser = argparse.ArgumentParser(prog="council-build", description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=Path.cwd(), help="project directory (conf.py)")
    parser.add_argument("--output", type=Path, default=Path("_build/site"), help="published output (a symlink)")
    parser.add_argument("--case", type=Path, help="check one case page only (see council_publish.case_check); publishes nothing")
    args = parser.parse_args(argv)
    source = args.source.resolve()
    if not (source / "conf.py").is_file():
        print(f"council-build: {source}/conf.py がありません", file=sys.stderr)
        return 2
    if args.case is not None:
        from council_publish.case_check import check_case
        return check_case(source, args.case)
    output = args.output if args.output.is_absolute() else source / args.output
    unchanged = f"公開中のサイト（{output}）は変わっていません"
    saved = {sig: signal.signal(sig, _Signals.handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    _Signals.pending = None
    try:
        build(source, output)
    except OutputRefused as exc:
        print(f"council-build: {exc}", file=sys.stderr)
        return 2
    except OutputLocked as exc:
        print(f"council-build: {exc}", file=sys.stderr)
        return 75
    except BuildFailed as exc:
        print(f"council-build: {exc}。{unchanged}", file=sys.stderr)
        return 1
    except (Interrupted, KeyboardInterrupt) as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        name = signal.Signals(signum).name
        print(f"council-build: {name} を受けて中断しました（作りかけの版は削除しました）。{unchanged}", file=sys.stderr)
        return 128 + signum
    except OSError as exc:
        print(f"council-build: {describe_os_error(exc, output)}。{unchanged}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    if _Signals.pending is not None:
        name = signal.Signals(_Signals.pending).name
        print(f"council-build: {output} に公開してから {name} で終了しました", file=sys.stderr)
        return 128 + _Signals.pending
    print(f"council-build: {output} に公開しました")
    return 0


if __name__ == "__main__":
    sys.exit(main())
