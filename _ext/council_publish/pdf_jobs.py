"""LaTeX to PDF: parallel jobs and a content-addressed cache kept across publishes.

Sphinx's generated ``make all-pdf`` runs one ``latexmk`` after another, and
runs every document again on every publish. Here each ``.tex`` is one job;
jobs run on every core; a PDF is compiled only when its own LaTeX input
changed. The cache key is the SHA-256 of everything a job reads: the ``.tex``
file, every other file of the LaTeX directory it names (figures, which
Sphinx names by content), the support files Sphinx writes (``*.sty``,
``*.cls``, ``latexmkrc``), the command and the source date. A key therefore
never names a stale PDF. (latexmk's own up-to-date check compares file
times in one directory; the staging directory is new on every publish.)

A fiscal year's volume is then joined from its compiled front matter and
its case PDFs (:mod:`council_publish.volumes`), cached by the bytes of its
parts: no case is typeset twice.

Each job's output goes to ``<name>.latexmk.log`` next to LaTeX's own log,
not to the terminal. A failed job's logs are copied out of the staging
directory (which a failed publish removes) and the error is reported in one
line with the ``.tex`` line and the page it comes from.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from council.latex.documents import WRITTEN_FILE
from council_publish import latex_formats, tounicode, volumes
from council_publish.pipeline import BuildFailed

#: upLaTeX to DVI, dvipdfmx to PDF, as Sphinx's ``latexmkjarc`` sets them up
#: (council.latex.preamble), then the ToUnicode step (council_publish.tounicode).
LATEXMK = ["latexmk", "-r", "latexmkjarc", "-pdfdvi", "-dvi-", "-ps-",
           "-interaction=nonstopmode", "-halt-on-error", "-silent"]
#: Support files shared by every document of a LaTeX directory.
_SUPPORT_SUFFIXES = {".sty", ".cls", ".ist", ".xdy", ".def", ".fd", ".cfg"}
_SUPPORT_NAMES = {"latexmkrc", "latexmkjarc"}
#: A raw LaTeX comment in the documents: the date of the pages a PDF holds.
_DATE = re.compile(r"^% council-source-date-epoch: ([0-9]+)$", re.MULTILINE)
_PAGE = re.compile(r"\\label\{\\detokenize\{([^}]*)::doc\}\}")
#: What a LaTeX run leaves for the next one (removed before compiling again).
_RUN_FILES = (".aux", ".toc", ".out", ".fdb_latexmk", ".fls", ".dvi")
_INCLUDED = re.compile(r"\{([A-Za-z0-9_.\-]+\.(?:pdf|png|jpg|jpeg|svg))\}")


@dataclass
class Result:
    name: str
    #: "compiled" by LaTeX, "joined" from its front matter and case PDFs
    #: (council_publish.volumes), or "cached": the same input as a PDF of the cache
    how: str
    seconds: float

    @property
    def cached(self) -> bool:
        return self.how == "cached"


def support_digest(latex: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(latex.iterdir()):
        if path.is_file() and (path.suffix in _SUPPORT_SUFFIXES or path.name in _SUPPORT_NAMES):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def source_date(tex: str) -> str | None:
    """The newest date among the pages in *tex* (``SOURCE_DATE_EPOCH`` of its PDF)."""
    dates = [int(d) for d in _DATE.findall(tex)]
    return str(max(dates)) if dates else None


def cache_key(tex_path: Path, support: str, command: list[str], tex: bytes | None = None) -> str:
    """The key of *tex_path*'s PDF (*tex*: its bytes, when already read)."""
    tex = tex_path.read_bytes() if tex is None else tex
    digest = hashlib.sha256()
    digest.update(" ".join(command).encode() + b"\0" + support.encode() + b"\0" + tex)
    for name in sorted(set(_INCLUDED.findall(tex.decode("utf-8", "replace")))):
        included = tex_path.parent / name
        if included.is_file():
            digest.update(name.encode() + b"\0" + included.read_bytes())
    return digest.hexdigest()


def failure_message(tex_path: Path, log_path: Path) -> str:
    """One line: the LaTeX error, the ``.tex`` line and the page it comes from."""
    log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.is_file() else ""
    match = re.search(r"^! (.*)$", log, re.MULTILINE)
    error = match.group(1).strip() if match else "LaTeX failed"
    line_match = re.search(r"^l\.([0-9]+)", log[match.start():] if match else "", re.MULTILINE)
    where = f"{tex_path.name}"
    page = ""
    if line_match:
        line = int(line_match.group(1))
        where += f":{line}"
        head = "\n".join(tex_path.read_text(encoding="utf-8", errors="replace").splitlines()[:line])
        pages = _PAGE.findall(head)
        if pages:
            page = f" (page {pages[-1]})"
    return f"{where}: {error}{page}"


def _latexmk(tex: Path, env: dict[str, str], fmt: Path | None) -> int:
    """latexmk over *tex* from nothing, its output in ``<name>.latexmk.log``; upLaTeX
    starts from *fmt* if given (council_publish.latex_formats).

    An earlier run's files are removed first: after a document Sphinx wrote again once
    it was compiled, latexmk would take the old PDF as up to date (its record of the
    input is made after the run, when the input may already have changed)."""
    for suffix in (*_RUN_FILES, ".pdf"):
        tex.with_suffix(suffix).unlink(missing_ok=True)
    options = [f"-latexoption={latex_formats.format_option(fmt)}"] if fmt is not None else []
    with open(tex.parent / f"{tex.stem}.latexmk.log", "w", encoding="utf-8") as out:
        return subprocess.run([*LATEXMK, *options, tex.name], cwd=tex.parent, env=env,
                              stdout=out, stderr=subprocess.STDOUT, check=False).returncode


@dataclass
class Joined(Result):
    key: str = ""


def place(source: Path, target: Path) -> None:
    """*source*'s bytes at *target*: a hard link where the file system allows, a copy
    otherwise. A PDF of the cache or of a staging directory is never written again in
    place (the cache stores by rename, :func:`_store`; a volume is joined into a new
    file), so a published PDF and its cache entry may share their bytes: after one edit
    at N = 1,000, copying every unchanged PDF twice (cache to LaTeX directory to site,
    733 MB each) was about 7 s of the publication's CPU."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or links refused
        shutil.copyfile(source, target)


def _store(pdf: Path, cached: Path) -> None:
    """Put *pdf* in the cache as *cached*, whole or not at all."""
    tmp = cached.with_suffix(".tmp")
    shutil.copyfile(pdf, tmp)
    os.replace(tmp, cached)


def join_volume(latex: Path, plan: volumes.Plan, cache: Path) -> Joined:
    """A fiscal year's volume: its compiled front matter (``<name>.pdf``, kept as
    ``<name>-front.pdf``) and its case PDFs, joined in place of the front matter."""
    started = time.monotonic()
    front = latex / f"{plan.name}{volumes.FRONT_SUFFIX}.pdf"
    os.replace(latex / f"{plan.name}.pdf", front)
    cases = [latex / f"{case}.pdf" for case in plan.cases]
    key = volumes.join_key(front, cases)
    cached = cache / f"{key}.pdf"
    target = latex / f"{plan.name}.pdf"
    if cached.is_file():
        place(cached, target)
        return Joined(plan.name, "cached", time.monotonic() - started, key)
    volumes.join(front, list(zip(plan.cases, cases, strict=True)), target)
    _store(target, cached)
    return Joined(plan.name, "joined", time.monotonic() - started, key)


class _Jobs:
    """The LaTeX jobs of one directory: each document compiled or taken from the cache."""

    def __init__(self, latex: Path, env: dict[str, str], cache: Path, logs: Path, formats: bool) -> None:
        self.latex, self.env, self.cache, self.logs = latex, env, cache, logs
        self.support = support_digest(latex)
        self.formats = latex_formats.Formats(latex, self.support, cache, env, enabled=formats)
        #: each document's cache key
        self.keys: dict[Path, str] = {}

    def run(self, tex: Path) -> Result:
        started = time.monotonic()
        data = tex.read_bytes()
        text = data.decode("utf-8", "replace")
        self.keys[tex] = cache_key(tex, self.support, LATEXMK, data)
        cached = self.cache / f"{self.keys[tex]}.pdf"
        target = tex.with_suffix(".pdf")
        if cached.is_file():
            place(cached, target)
            self.formats.key_of(text)  # its preamble's format stays in the cache
            return Result(tex.stem, "cached", time.monotonic() - started)
        job_env = dict(self.env)
        date = source_date(text)
        if date:
            job_env["SOURCE_DATE_EPOCH"] = date
        fmt = self.formats.format_for(tex, text)
        status = _latexmk(tex, job_env, fmt)
        if status != 0 and fmt is not None:
            # whatever the format's part, the document compiled as it is decides
            status = _latexmk(tex, job_env, None)
        if status != 0 or not target.is_file():
            self.logs.mkdir(parents=True, exist_ok=True)
            for suffix in (".log", ".latexmk.log"):
                log = self.latex / f"{tex.stem}{suffix}"
                if log.is_file():
                    shutil.copyfile(log, self.logs / log.name)
            raise BuildFailed(f"LaTeX: {failure_message(tex, self.latex / f'{tex.stem}.log')}; "
                              f"log: {self.logs / (tex.stem + '.log')}")
        try:
            tounicode.add_tounicode(target)
        except tounicode.MapMissing as exc:
            raise BuildFailed(str(exc)) from exc
        _store(target, cached)
        return Result(tex.stem, "compiled", time.monotonic() - started)


def _missing_inclusions(tex: Path) -> bool:
    """Whether *tex* names a figure that is not (yet) in its directory."""
    text = tex.read_text(encoding="utf-8", errors="replace")
    return any(not (tex.parent / name).is_file() for name in set(_INCLUDED.findall(text)))


class Abandoned(BuildFailed):
    """The build the PDFs were for failed meanwhile (the *abandon* of :func:`compile_all`)."""


def _check(abandon: Callable[[], bool] | None) -> None:
    if abandon is not None and abandon():
        raise Abandoned("the PDFs were abandoned: the build they were for failed")


def _as_written(latex: Path, writer: subprocess.Popen, poll: float = 0.2,
                abandon: Callable[[], bool] | None = None) -> Iterator[Path]:
    """Each ``.tex`` once *writer* lists it as whole (:data:`WRITTEN_FILE`), then,
    once it has finished well, any it did not list."""
    listed, seen = latex / WRITTEN_FILE, 0
    while True:
        _check(abandon)
        finished = writer.poll() is not None
        text = listed.read_text(encoding="utf-8") if listed.is_file() else ""
        names = text.split("\n")[:-1]  # whole lines only
        yield from (latex / name for name in names[seen:])
        seen = len(names)
        if finished:
            break
        time.sleep(poll)
    if writer.returncode != 0:
        raise BuildFailed(f"sphinx-build -b latex failed (exit status {writer.returncode})")
    named = {latex / name for name in names}
    yield from (tex for tex in sorted(latex.glob("*.tex")) if tex not in named)


def _results(futures: list[Future], abandon: Callable[[], bool] | None, poll: float = 0.2) -> list[Result]:
    """The futures' results in order; the first failure raised as soon as it comes;
    *abandon* checked while they run."""
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=poll if abandon is not None else None, return_when=FIRST_EXCEPTION)
        for future in done:
            if future.exception() is not None:
                future.result()
        _check(abandon)
    return [future.result() for future in futures]


def compile_all(latex: Path, env: dict[str, str], cache: Path, logs: Path, jobs: int | None = None,
                writer: subprocess.Popen | None = None, formats: bool = True,
                abandon: Callable[[], bool] | None = None) -> list[Result]:
    """Compile every ``.tex`` of *latex* to PDF, from *cache* where the input is unchanged.

    *cache* keeps one PDF per key (``<key>.pdf``); entries not used by this
    build are removed at the end, so it holds the last publish's PDFs only.
    On failure the logs go to *logs* and :class:`BuildFailed` says where.

    With *writer*, the ``sphinx-build -b latex`` process still writing
    *latex*, each document is compiled as soon as it is whole, while Sphinx
    writes the next (Sphinx writes one document after another on one core).
    With *formats* false, every document is compiled from its whole preamble
    (no :mod:`council_publish.latex_formats`). When *abandon* returns true
    (checked while waiting), :class:`Abandoned` is raised: jobs not started are
    cancelled, those running end first.
    """
    cache.mkdir(parents=True, exist_ok=True)
    workers = jobs or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            if writer is None:
                todo = _Jobs(latex, env, cache, logs, formats)
                # the longest documents first, so that no core idles at the end
                order = sorted(latex.glob("*.tex"), key=lambda t: -t.stat().st_size)
                futures = [pool.submit(todo.run, tex) for tex in order]
            else:
                todo, futures, deferred = None, [], []
                for tex in _as_written(latex, writer, abandon=abandon):
                    # the support files are written before the first document
                    todo = todo or _Jobs(latex, env, cache, logs, formats)
                    if writer.poll() is None and _missing_inclusions(tex):
                        deferred.append(tex)  # Sphinx copies figures after the last document
                    else:
                        futures.append(pool.submit(todo.run, tex))
                futures += [pool.submit(todo.run, tex) for tex in deferred]
                if todo is None or support_digest(latex) != todo.support:
                    pool.shutdown(wait=True)
                    return compile_all(latex, env, cache, logs, jobs, formats=formats, abandon=abandon)
            results = _results(futures, abandon)
            if writer is not None:
                # a document changed after it was listed as whole is compiled again
                changed = {tex.stem for tex, key in list(todo.keys.items())
                           if cache_key(tex, todo.support, LATEXMK) != key}
                results = [r for r in results if r.name not in changed] + _results(
                    [pool.submit(todo.run, latex / f"{name}.tex") for name in sorted(changed)], abandon)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    _check(abandon)
    plans = volumes.plans(latex)
    joined: dict[str, Joined] = {}
    if plans:
        # pikepdf holds the interpreter's lock while it works: volumes are joined in processes
        with ProcessPoolExecutor(max_workers=min(workers, len(plans))) as pool:
            futures = {plan.name: pool.submit(join_volume, latex, plan, cache) for plan in plans}
        joined = {name: future.result() for name, future in futures.items()}
    # a volume's own LaTeX job is its front matter: listed as such, then the volume
    results = [Result(f"{r.name}{volumes.FRONT_SUFFIX}", r.how, r.seconds) if r.name in joined else r
               for r in results] + list(joined.values())
    used = ({f"{key}.pdf" for key in todo.keys.values()} | {f"{r.key}.pdf" for r in joined.values()}
            | todo.formats.kept_names())
    for entry in [*cache.glob("*.pdf"), *cache.glob(f"{latex_formats.PREFIX}*.fmt")]:
        if entry.name not in used:
            entry.unlink()
    return results
