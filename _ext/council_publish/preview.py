"""Live preview of one case: ``make preview CASE=cases/<file>.md``.

Serves the one case's small project (:mod:`council_publish.case_project`)
with sphinx-autobuild; before each rebuild the case's IDs are checked again
and the copies of its pages refreshed
(``python -m council_publish.case_check --refresh``).
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
from pathlib import Path

from council_publish.case_project import CaseProject
from council_publish.id_index import CASE_BUILD_DIR
from council_publish.pipeline import run_in_group


def _autobuild() -> Path | None:
    """sphinx-autobuild beside this Python (the ``preview`` extra), if installed."""
    path = Path(sys.executable).with_name("sphinx-autobuild")
    return path if path.exists() else None


def serve(project: Path, proj: CaseProject, port: int = 8000) -> int:
    """Serve *proj*, the case project of *project*, with sphinx-autobuild."""
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
           "--pre-build", pre, "-d", str(proj.build.doctrees), str(proj.build.source), str(proj.build.html)]
    print(f"council-build: {proj.case} を http://127.0.0.1:{port}/{proj.case.rsplit('.', 1)[0]}.html で表示します",
          flush=True)
    try:
        return run_in_group(cmd, cwd=project, env=dict(os.environ))
    except KeyboardInterrupt:
        return 128 + signal.SIGINT

