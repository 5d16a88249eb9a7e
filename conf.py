"""Sphinx configuration of the privacy-council traceability site."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "新宿区 個人情報保護 審議案件トレーサビリティ"
author = "新宿区"
copyright = "新宿区"
language = "ja"

extensions = [
    "myst_parser",
    "sphinx_design",
    "sphinx_needs",
    "council",
]

needs_from_toml = "ubproject.toml"
needs_build_json = True

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

nitpicky = True
exclude_patterns = ["_build", "_templates", "README.md", "sources", "tests", ".venv", ".ci", ".pytest_cache"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["council.css"]
html_theme = "furo"
# Sources are not published: `%` comments in them are internal notes.
html_copy_source = False
html_show_sourcelink = False
html_title = "個人情報保護 審議案件トレーサビリティ"
# Trace graphs (council.views.graph) as SVG in HTML; the PDF gets PDF figures.
graphviz_output_format = "svg"

# PDF: one volume per fiscal year, the reference volume and one record per case;
# council.latex.documents sets latex_documents and latex_elements from the pages.
latex_engine = "uplatex"
latex_docclass = {"manual": "ujbook", "howto": "ujreport"}
latex_use_xindy = False
latex_domain_indices = False

# Open data and web conventions (council.directives.licence, council.html.webmeta, council.outputs.opendata,
# council.views.history). Both values below are this site's proposals, TO CONFIRM with the ward:
# the public address is a placeholder domain, and the licence is PDL1.0 until the ward decides.
html_baseurl = "https://example.jp/"  # TO CONFIRM: placeholder (example.jp is reserved for examples)
council_licence = "PDL1.0"  # TO CONFIRM: one of council.directives.licence.LICENCES
council_licence_confirmed = False
extensions += ["sphinxext.opengraph", "notfound.extension"]
ogp_site_url = html_baseurl
ogp_social_cards = {"enable": False}  # no generated images (they would need matplotlib and fonts)
# The 404 page is served at any depth: its links start at the site root.
notfound_urls_prefix = "/" + html_baseurl.split("/", 3)[3]
notfound_context = {
    "title": "ページが見つかりません",
    "body": "<h1>ページが見つかりません</h1>"
    "<p>お探しのページは、移動したか削除された可能性があります。アドレスをご確認ください。</p>"
    f'<p><a href="{notfound_urls_prefix}index.html">トップページ</a>から、'
    f'または<a href="{notfound_urls_prefix}browse/index.html">案件をさがす</a>から目的のページをお探しください。</p>',
}
