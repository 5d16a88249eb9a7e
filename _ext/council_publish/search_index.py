"""The search index: Pagefind run over the finished HTML, a step of ``council-build``.

The pages carry what Pagefind reads (:mod:`council.html.search`: which parts are
indexed, the filters and metadata of their cases); this runs Pagefind's extended
build (it segments Japanese) and puts its index and UI into ``html/pagefind/``.
``council-build`` makes the index while it checks the output
(:func:`council_publish.checks.index_and_check_step`): Pagefind writes into a
folder beside the site, moved in once it is done.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from council.html.search import BUNDLE_DIR, EXCLUDED
from council_publish.pipeline import BuildFailed, started


def pagefind_command(site: str, bundle: str | None = None) -> list[str]:
    """The Pagefind (extended) command that indexes *site*: its bundle goes into
    ``site/pagefind/``, or into the directory *bundle* when given."""
    from pagefind_bin_extended import get_executable

    where = ["--output-path", bundle] if bundle else ["--output-subdir", BUNDLE_DIR]
    return [
        str(get_executable()), "--site", site, *where,
        "--exclude-selectors", ", ".join(EXCLUDED), "--quiet",
    ]


def _bundle_path(ctx: Any) -> Path:
    # beside the site, not in it: the checks that run meanwhile read the site
    return ctx.staging / "search-bundle"


@contextlib.contextmanager
def indexing(ctx: Any) -> Iterator[subprocess.Popen]:
    """Pagefind indexing the finished HTML of *ctx* while the block runs, into a
    directory beside the site (:func:`install_search_index` moves it in); waited
    for at the block's end, stopped if the block fails or is interrupted."""
    if not (ctx.html / "index.html").is_file():
        raise BuildFailed(f"search index: no HTML in {ctx.html} (the HTML step must run first)")
    if (ctx.html / BUNDLE_DIR).exists():
        raise BuildFailed(f"検索索引の置き場所 {ctx.html / BUNDLE_DIR} に、ほかのファイルがあります")
    bundle = _bundle_path(ctx)
    if bundle.exists():
        shutil.rmtree(bundle)
    with started(pagefind_command(str(ctx.html), str(bundle)), ctx.source, ctx.env) as proc:
        yield proc


def install_search_index(ctx: Any, proc: subprocess.Popen) -> None:
    """Once *proc* (:func:`indexing`) has ended: its bundle moved into ``html/pagefind/``,
    or the step failed."""
    returncode = proc.wait()
    if returncode != 0:
        raise BuildFailed(f"pagefind (search index) failed (exit status {returncode})")
    bundle = _bundle_path(ctx)
    if not (bundle / "pagefind-ui.js").is_file():
        raise BuildFailed(f"search index: pagefind wrote no UI into {bundle}")
    os.replace(bundle, ctx.html / BUNDLE_DIR)


def build_search_index(ctx: Any) -> None:
    """A step that only indexes the staged HTML (``council-build`` itself makes the
    index while it checks the output: :mod:`council_publish.checks`)."""
    with indexing(ctx) as proc:
        pass
    install_search_index(ctx, proc)
