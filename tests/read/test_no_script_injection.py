"""A ``<script>`` written into a case page never reaches the HTML unescaped.

Raw HTML (a block, inline; the ``{raw}`` directive and ``{eval-rst}`` are
not in the content profile of case pages) is refused by the ``-W`` build and dropped even when
warnings are not errors; text in need titles, fields and contents is escaped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import copy_project
from test_malformed_inputs import sphinx_build

PAYLOAD = "alert('pwned')"

INJECTED = f"""
<script>{PAYLOAD}</script>

本文 <img src=x onerror="{PAYLOAD}"> 本文

```{{raw}} html
<script>{PAYLOAD}</script>
```

```{{eval-rst}}
.. raw:: html

   <script>{PAYLOAD}</script>
```

```{{safeguard}} <script>{PAYLOAD}</script>
---
id: SG_2020_TEST_E1_CO_02
part_of: ENT_2020_TEST_1
actor: 受託者
aspect: 運用
number: 2
grouping: 原典
satisfies: CHK_CO_05
binds: CL_B_13
---
<script>{PAYLOAD}</script>
```
"""


@pytest.fixture(scope="module")
def injected_project(tmp_path_factory) -> Path:
    src = copy_project("site-minimal", tmp_path_factory.mktemp("inject"))
    case = src / "cases" / "case.md"
    case.write_text(
        case.read_text(encoding="utf-8").replace("事業内容。", "事業内容 <script>x()</script>。")
        + INJECTED,
        encoding="utf-8",
    )
    return src


def test_strict_build_refuses_raw_html(injected_project, tmp_path):
    result = sphinx_build(injected_project, tmp_path / "out", "-W", "--keep-going")
    assert result.returncode != 0
    raw = [line for line in result.stderr.splitlines() if "[council.raw_html]" in line]
    located = sorted(int(line.split("case.md:")[1].split(":")[0]) for line in raw)
    # line 18 twice (inline <script> and </script>), then the HTML block, the
    # inline HTML and the need content
    assert located == [18, 18, 52, 54, 77]
    # {raw} and {eval-rst} are not in the content profile of case pages: refused unread
    profile = [line for line in result.stderr.splitlines() if "[council.profile]" in line]
    assert sorted(int(line.split("case.md:")[1].split(":")[0]) for line in profile) == [56, 60]
    assert "Traceback" not in result.stderr


def test_lenient_build_publishes_no_script(injected_project, tmp_path):
    out = tmp_path / "out"
    result = sphinx_build(injected_project, out)
    assert result.returncode == 0, result.stderr
    pages = {p: p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    assert pages
    for path, html in pages.items():
        assert "<script>alert" not in html, path
        assert "<script>x()" not in html, path
        assert "onerror=" not in html, path
    case = pages[out / "cases" / "case.html"]
    # The measure is on the page; its title (a copy of its text) is not shown,
    # and nowhere as markup.
    assert 'id="SG_2020_TEST_E1_CO_02"' in case
    assert "事業内容" in case
