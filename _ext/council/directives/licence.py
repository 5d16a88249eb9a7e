"""The licence of the published content and data, as one configuration value.

``council_licence`` (conf.py) names one of :data:`LICENCES`. The same record
is shown in every page's footer (``rel="license"``), in the open-data guide,
in ``datapackage.json`` and in the catalogue's JSON-LD, so they cannot
disagree. The default, 公共データ利用規約（第1.0版）(PDL1.0), is the licence
the national government recommends for public data and is compatible with
CC BY 4.0; it is this site's proposal until the ward confirms its choice
(``council_licence_confirmed``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from council.config import LICENCE_CHOICES, council_config


OPEN_DATA_GUIDE = "docs/open-data"


@dataclass(frozen=True)
class Licence:
    key: str  # the value of ``council_licence``
    spdx: str  # identifier for machine-readable metadata
    title: str  # Japanese name shown to readers
    url: str
    note: str  # compatibility, one Japanese sentence fragment

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


LICENCES: dict[str, Licence] = {licence.key: licence for licence in (
    # PDL-1.0 is not in the SPDX list; the Frictionless and schema.org records use the URL.
    Licence("PDL1.0", "PDL-1.0", "公共データ利用規約（第1.0版）",
            "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0",
            "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）と互換"),
    Licence("CC-BY-4.0", "CC-BY-4.0", "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）",
            "https://creativecommons.org/licenses/by/4.0/deed.ja",
            "出典を表示すれば、複製・改変・再配布ができます"),
)}


assert tuple(LICENCES) == LICENCE_CHOICES  # the configuration offers exactly these


def licence_of(app: Sphinx) -> Licence:
    return LICENCES[council_config(app).licence]


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    context["council_licence"] = licence_of(app).as_dict()
    context["council_licence_confirmed"] = council_config(app).licence_confirmed
    # the guide that explains the licence, when the project has it
    if OPEN_DATA_GUIDE in app.env.found_docs:
        context["council_open_data_guide"] = context["pathto"](OPEN_DATA_GUIDE)


def licence_nodes(licence: Licence, confirmed: bool) -> list[nodes.Node]:
    """The licence statement of the open-data guide (directive ``council-licence``)."""
    para = nodes.paragraph(
        "", "このサイトの文章と、ダウンロードできるデータ（CSV・XLSX・needs.json など）は、",
        nodes.reference("", licence.title, refuri=licence.url),
        nodes.Text(f"（{licence.note}）に従って利用できます。出典として、このサイトの名称と"
                   "ページのアドレスを示してください。"),
    )
    result: list[nodes.Node] = [para]
    if not confirmed:
        result.append(nodes.paragraph(
            "", "この利用条件は、区が正式に定めるまでの仮の設定です（要確認）。"
        ))
    return result


class LicenceDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        return licence_nodes(licence_of(self.env.app), council_config(self.env.app).licence_confirmed)


def setup_licence(app: Sphinx) -> None:
    app.add_directive("council-licence", LicenceDirective)
    app.connect("html-page-context", _page_context)
