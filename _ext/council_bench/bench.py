"""Benchmark the site build on synthetic corpora (``make bench``; not a test).

For each N (default 100, 300, 1000) it writes a synthetic project of N cases
(:mod:`council_bench.synthetic`) and prints:

- the full HTML build time (``sphinx-build -b html -W -j N``, fresh output; N
  the cores, as ``council-build`` runs it: :mod:`council.html.parallel_build`),
- the incremental rebuild time after editing one case (its text and a clause
  one of its safeguards binds), into the same output and doctree directories,
- the same text built as plain Sphinx pages without sphinx-needs (baseline),
  and the ratio of the two full builds,
- the same corpus built with sphinx-needs' own need rendering
  (``-D council_fast_needs=0``, see :mod:`council.html.render`) and the ratio,
- the one-case check (``council-build --case``, :mod:`council_publish.case_check`) of
  the edited case: first with no ID index (every page scanned, the small
  project built from nothing), then again (index cached, nothing changed),
- the peak resident memory of each build (the sphinx-build process and its
  workers, from ``wait4``),
- the output size, and the size and indexing time of the site's search index
  (Pagefind, the ``council-build`` step; Sphinx's own index is not built),
- for the smallest and the largest N (100 and 1,000), the time and CPU time of
  the site's PDF step (:mod:`council_bench.pdf_bench`).

Usage: ``python -m council_bench.bench [-n 100 300 1000] [--workdir DIR] [-j N] [--no-pdf | --pdf-only]
[--plain-timeout S]``; a baseline build that takes longer than ``--plain-timeout``
is stopped and reported as "over S". ``--pdf-only`` writes the corpora of the
smallest and the largest N and measures their PDF step alone.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from council_bench.synthetic import generate
from council_publish.sphinx_steps import cores


@dataclass
class Run:
    seconds: float
    max_rss_mb: float
    cpu_seconds: float = 0.0


def _run(cmd: list[str], cwd: Path | None = None, timeout: float | None = None) -> Run:
    """Run *cmd*; its wall time and peak RSS (the process tree it waited for)."""
    start = time.perf_counter()
    # its own process group: a build stopped at its time limit is stopped with its workers
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            if proc.stdout:
                proc.stdout.close()
            raise TimeoutError(f"{cmd[0]} stopped after {timeout:.0f} s")
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    output = ""
    if proc.stdout:
        output = proc.stdout.read().decode(errors="replace")
        proc.stdout.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output[-4000:]}")
    return Run(elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def sphinx_build(src: Path, out: Path, doctrees: Path, jobs: int = 1, timeout: float | None = None,
                 extra: tuple[str, ...] = ()) -> Run:
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
           *extra, "-d", str(doctrees), str(src), str(out)]
    if jobs > 1:
        cmd[3:3] = ["-j", str(jobs)]
    return _run(cmd, timeout=timeout)


def search_index(out: Path) -> tuple[Run, int]:
    """Index the built HTML with Pagefind as council-build does; its run and size."""
    from council.html.search import BUNDLE_DIR
    from council_publish.search_index import pagefind_command

    shutil.rmtree(out / BUNDLE_DIR, ignore_errors=True)
    run = _run(pagefind_command(str(out)))
    return run, dir_size(out / BUNDLE_DIR)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def edit_one_case(src: Path) -> Path:
    """In the middle case, change its text (the first sentence ending a directive)
    and a clause its first safeguard binds."""
    cases = sorted(p for p in (src / "cases").glob("*.md") if p.name != "index.md")
    page = cases[len(cases) // 2]
    text = page.read_text(encoding="utf-8")
    match = re.search(r"^binds: (CL_([AB])_(\d\d))[^\n]*$", text, re.MULTILINE)
    assert match, f"no binds in {page}"
    edition, number = match.group(2), int(match.group(3))
    other = f"CL_{edition}_{number % 19 + 1:02d}"
    text = text[: match.start()] + f"binds: {other}" + text[match.end():]
    text = text.replace("。\n```", "。（改訂）\n```", 1)
    page.write_text(text, encoding="utf-8")
    future = time.time() + 2
    os.utime(page, (future, future))
    return page


def case_check(src: Path, page: Path) -> Run:
    """``council-build --case`` of *page*, as an author runs it."""
    return _run([sys.executable, "-m", "council_publish.cli", "--source", str(src), "--case", str(page)], cwd=src)


def _count_needs(path: Path) -> int:
    if not path.exists():
        return 0
    data = json.loads(path.read_text(encoding="utf-8"))
    return sum(len(v.get("needs", {})) for v in data.get("versions", {}).values())


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _children_cpu() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextlib.contextmanager
def _output_to(path: Path):
    """Send this process's and its children's stdout and stderr to *path* (the
    LaTeX step prints thousands of lines that would bury the table)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _with_timeout(func, timeout: float) -> None:
    import signal

    def _alarm(signum, frame):  # noqa: ARG001
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(timeout))
    try:
        func()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def bench(n: int, work: Path, jobs: int, plain_timeout: float | None = None) -> dict[str, str]:
    base = work / f"n{n}"
    src, plain = base / "src", base / "plain"
    generate(src, n)
    generate(plain, n, plain=True)
    out, doctrees = base / "html", base / "doctrees"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(doctrees, ignore_errors=True)
    full = sphinx_build(src, out, doctrees, jobs)
    size = dir_size(out)
    needs = _count_needs(out / "needs.json")
    edited = edit_one_case(src)
    inc = sphinx_build(src, out, doctrees, jobs)
    index_run, index_size = search_index(out)
    shutil.rmtree(src / "_build", ignore_errors=True)
    check_cold = case_check(src, edited)
    check_warm = case_check(src, edited)
    own_out, own_doctrees = base / "needs-html", base / "needs-doctrees"
    shutil.rmtree(own_out, ignore_errors=True)
    shutil.rmtree(own_doctrees, ignore_errors=True)
    upstream = sphinx_build(src, own_out, own_doctrees, jobs, extra=("-D", "council_fast_needs=0"))
    shutil.rmtree(base / "plain-html", ignore_errors=True)
    shutil.rmtree(base / "plain-doctrees", ignore_errors=True)
    try:
        base_run: Run | None = sphinx_build(plain, base / "plain-html", base / "plain-doctrees", jobs,
                                            timeout=plain_timeout)
    except TimeoutError:
        base_run = None
    over = f"over {plain_timeout:.0f} s (stopped)"
    return {
        "N": str(n),
        "needs": str(needs),
        "full": f"{full.seconds:.1f} s",
        "full CPU": f"{full.cpu_seconds:.1f} s",
        "incremental": f"{inc.seconds:.1f} s",
        "incr. CPU": f"{inc.cpu_seconds:.1f} s",
        "plain": f"{base_run.seconds:.1f} s" if base_run else over,
        "plain CPU": f"{base_run.cpu_seconds:.1f} s" if base_run else "-",
        "ratio": f"{full.seconds / base_run.seconds:.2f}x" if base_run
        else f"under {full.seconds / plain_timeout:.2f}x",
        "CPU ratio": f"{full.cpu_seconds / base_run.cpu_seconds:.2f}x" if base_run else "-",
        "sphinx-needs": f"{upstream.seconds:.1f} s",
        "needs CPU": f"{upstream.cpu_seconds:.1f} s",
        "needs ratio": f"{full.seconds / upstream.seconds:.2f}x",
        "needs CPU ratio": f"{full.cpu_seconds / upstream.cpu_seconds:.2f}x",
        "case check": f"{check_cold.seconds:.1f} s",
        "case again": f"{check_warm.seconds:.1f} s",
        "peak": f"{max(full.max_rss_mb, inc.max_rss_mb):.0f} MB",
        "plain peak": f"{base_run.max_rss_mb:.0f} MB" if base_run else "-",
        "output": _mb(size),
        "search index": f"{_mb(index_size)} in {index_run.seconds:.1f} s",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="council-bench", description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--cases", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--workdir", type=Path, default=Path("_build/bench"))
    parser.add_argument("-j", "--jobs", type=int, default=cores(),
                        help="sphinx-build -j (default: the cores, as council-build builds the HTML)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--no-pdf", action="store_true", help="skip the PDF build")
    which.add_argument("--pdf-only", action="store_true", help="only the PDF build, for the smallest and the largest N")
    parser.add_argument("--pdf-timeout", type=float, default=1800)
    parser.add_argument("--plain-timeout", type=float, default=1800,
                        help="stop a baseline build after this many seconds (default 1800)")
    args = parser.parse_args(argv)
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    columns = ["N", "needs", "full", "full CPU", "incremental", "incr. CPU", "plain", "plain CPU",
               "ratio", "CPU ratio", "sphinx-needs", "needs CPU", "needs ratio", "needs CPU ratio", "case check", "case again", "peak", "plain peak", "output", "search index"]
    print(f"council bench: sphinx-build -j {args.jobs}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}, work dir {work}")
    print("(wall time depends on the load of the machine; CPU time = user + system of the build; "
          "ratio = this site / plain Sphinx; needs ratio = this site / sphinx-needs' own rendering "
          "(-D council_fast_needs=0); case check = council-build --case of one case, "
          "first without its ID index, then again)")
    if not args.pdf_only:
        print("| " + " | ".join(columns) + " |")
        print("|" + "---|" * len(columns), flush=True)
        for n in args.cases:
            row = bench(n, work, args.jobs, args.plain_timeout)
            print("| " + " | ".join(row[c] for c in columns) + " |", flush=True)
    from council_bench.pdf_bench import pdf_sizes, pdf_time

    if args.no_pdf:
        print("PDF: not measured (--no-pdf)")
    else:
        for n in pdf_sizes(args.cases):
            if args.pdf_only:
                generate(work / f"n{n}" / "src", n)
            print(pdf_time(work / f"n{n}" / "src", work / f"n{n}", args.pdf_timeout), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
