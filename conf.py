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
html_title = "個人情報保護 審議案件トレーサビリティ"
# Trace graphs (council.graph) as SVG in HTML; the PDF gets PDF figures.
graphviz_output_format = "svg"

# PDF: the whole book and one document per case page (see council.latex).
from council.latex import LATEX_ELEMENTS, latex_documents_for  # noqa: E402

latex_engine = "lualatex"
latex_docclass = {"manual": "ltjsbook", "howto": "ltjsreport"}
latex_use_xindy = False
latex_documents = latex_documents_for(Path(__file__).parent, project, author)
latex_elements = LATEX_ELEMENTS
latex_domain_indices = False
