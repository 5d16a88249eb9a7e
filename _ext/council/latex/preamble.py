"""The LaTeX set-up of every PDF: engine, fonts, page style, and the print's environments.

upLaTeX + dvipdfmx with the Harano Aji fonts (embedded; their ToUnicode
map is added after dvipdfmx by :mod:`council_publish.tounicode`), the running heads and footers, the ward's cover of a case
PDF, the frames of the site's estimates, the type and ragged cells of
tables (:mod:`council.latex.print_tables`), and the numbering shared by a
case PDF and its volume. :mod:`council.latex.documents` hands it to Sphinx
as ``latex_elements``.
"""

from __future__ import annotations

#: LaTeX for the print rendering of council.latex.print_record: the cover of a case
#: PDF (its own page, then the contents), each measure kept together, and the
#: site's estimates framed and labelled so that black-and-white print shows them.
PRINT_PREAMBLE = "\n".join([
    r"\makeatletter",
    r"\@ifclassloaded{sphinxhowto}{%",
    r"  \newcommand\councilmaketitle{}\newcommand\counciltableofcontents{}",
    r"  \newenvironment{sphinxclasscouncilcover}"
    r"{\clearpage\thispagestyle{empty}\vspace*{2\baselineskip}}"
    r"{\clearpage\sphinxtableofcontents\clearpage}",
    r"}{%",
    r"  \newcommand\councilmaketitle{\sphinxmaketitle}",
    r"  \newcommand\counciltableofcontents{\sphinxtableofcontents}",
    r"  \newenvironment{sphinxclasscouncilcover}{\par\medskip}{\par\medskip}",
    # a volume numbers its tables per chapter (2.1), as each case PDF does
    # (council.latex.print_record._volume_numbering)
    # (after sphinx.sty, which sets the numbering at \begin{document})
    r"  \AtBeginDocument{\counterwithin*{table}{chapter}\counterwithin*{figure}{chapter}%",
    r"    \renewcommand\thetable{\thechapter.\arabic{table}}%",
    r"    \renewcommand\thefigure{\thechapter.\arabic{figure}}}",
    r"}",
    r"\newenvironment{sphinxclasscouncilcovertitle}{\par\begingroup\Large\bfseries\raggedright}"
    r"{\par\endgroup\bigskip}",
    # running head: the case's council, procedure and year (set by the cover),
    # else the document title; the section in the footer stays clear of the
    # page number
    r"\providecommand\councilrunninghead{\@title}",
    # a chapter's first page: Sphinx's plain style (page number in the footer, as
    # on every other page), not the Japanese class's number at the top
    r"\def\plainifnotempty{\thispagestyle{plain}}",
    # no software version on title pages and running heads
    r"\renewcommand\py@release{}\renewcommand\sphinxheadercomma{}",
    r"\fancypagestyle{normal}{\fancyhf{}%",
    r"  \fancyhead[R]{{\py@HeaderFamily\small\councilrunninghead}}%",
    r"  \fancyfoot[L]{\parbox[t]{\dimexpr\textwidth-4em\relax}"
    r"{\raggedright\py@HeaderFamily\small\nouppercase{\rightmark}}}%",
    r"  \fancyfoot[R]{{\py@HeaderFamily\thepage}}%",
    r"  \renewcommand{\headrulewidth}{0.4pt}\renewcommand{\footrulewidth}{0.4pt}}",
    r"\newenvironment{sphinxclasscouncilmeasure}{\par\smallskip\begin{minipage}{\linewidth}}"
    r"{\end{minipage}\par\smallskip}",
    r"\newenvironment{sphinxclasscouncilestimate}{\begin{framed}}{\end{framed}}",
    # a clause or checklist item (appendix, reference volume): its head kept with its first lines
    # (not right after a heading, which is kept with the entry's first line:
    # a break there would leave the heading alone at the page's foot)
    r"\newenvironment{sphinxclasscouncilentry}{\par\if@nobreak\else\needspace{4\baselineskip}\fi}{\par}",
    # a section's heading never alone at a page's foot: its first lines (often a
    # table, where a page may break) must fit below it, else it starts the next page
    r"\AtBeginDocument{\let\council@section\section\def\section{\needspace{6\baselineskip}\council@section}%",
    r"  \let\council@subsection\subsection\def\subsection{\needspace{5\baselineskip}\council@subsection}}",
    r"\expandafter\def\csname DUrolecouncil-estimate-mark\endcsname#1{\fbox{\sffamily\bfseries #1}}",
    # longtable steps the table counter even without a caption: an untitled table
    # gives its number back, and its continuation line names no table number
    r"\newif\ifcouncil@captioned",
    r"\g@addto@macro\sphinxthelongtablecaptionisattop{\noalign{\global\council@captionedtrue}}",
    r"\g@addto@macro\sphinxatlongtableend{\ifcouncil@captioned\else\addtocounter{table}{-1}\fi"
    r"\global\council@captionedfalse}",
    r"\let\council@tablecontinued\sphinxtablecontinued",
    r"\renewcommand\sphinxtablecontinued[1]{\council@tablecontinued{\ifcouncil@captioned#1\else"
    r"\let\tablename\@empty\let\thetable\@empty\let\textendash\@empty\ignorespaces#1\fi}}",
    r"\makeatother",
])

#: ``latex_elements`` of the site (upLaTeX + dvipdfmx): Japanese fonts
#: embedded, PDF language, no index, long IDs and URLs allowed to break.
#:
#: Engine chosen by measurement (issue 15). A case record (2019-jiritsu, 26
#: pages) took 14.6 s with LuaLaTeX + luatexja (two runs of 5.6–6.0 s, 4.1 s
#: of each the start-up: luatexja and the fonts, sphinx.sty), and 2.7 s with
#: upLaTeX + dvipdfmx (two runs of about 1 s, dvipdfmx 0.85 s): the
#: 30-minute target for 1,000 case PDFs on 2 cores needs at most about 3.6 s.
#: LuaLaTeX wrote a ToUnicode map for every font; dvipdfmx does not for the
#: Adobe-Japan1 fonts, so council_publish.tounicode adds Adobe's own map
#: (``pdffonts``: ``uni yes`` for every font, tested).
LATEX_ELEMENTS = {
    "papersize": "a4paper",
    "releasename": "サイト版",
    "pointsize": "10pt",
    "extraclassoptions": "openany,oneside",
    # Harano Aji (texlive-lang-japanese) embedded by dvipdfmx; Latin Modern for Latin
    "fontpkg": r"\usepackage{lmodern}\usepackage[haranoaji]{pxchfon}",
    "preamble": "\n".join([
        r"\hypersetup{pdflang=ja,bookmarksnumbered=true,bookmarksopen=true,bookmarksopenlevel=1}",
        # cross-references read as names (チェックリスト WO-01): upright, not italic Latin
        r"\protected\def\sphinxcrossref#1{#1}",
        # file names in inline literals may break after "-"
        r"\protected\def\sphinxhyphenininlineliteral#1{-\allowbreak}",
        # need IDs (SG_2025_HOGO_INJI_E1_WO_01) and other long names may break after "_"
        r"\DeclareRobustCommand\_{\textunderscore\ifmmode\else\allowbreak\fi}",
        # Tables in print (council.latex.print_tables, council.latex.record_layout):
        # ragged cells, so that a narrow column never letter-spaces Japanese; wide
        # matrices and the print's own tables in a smaller type.
        r"\makeatletter\def\councilraggedcells{\def\sphinxAtStartPar{\rightskip\z@\@plus1fil\relax}}\makeatother",
        r"\newenvironment{sphinxclasscouncilragged}{\councilraggedcells}{}",
        r"\newenvironment{sphinxclasscouncilwide}{\footnotesize\setlength\tabcolsep{3pt}\councilraggedcells}{}",
        r"\newenvironment{sphinxclasscouncilverywide}{\scriptsize\setlength\tabcolsep{2pt}\councilraggedcells}{}",
        r"\newenvironment{sphinxclasscouncilprinttable}{\small\setlength\tabcolsep{4pt}\councilraggedcells}{}",
        # A case PDF (howto, on the chapter-based Japanese report class) has
        # no chapter: number its sections 1, 1.1 rather than 0.1, 0.1.1.
        r"\makeatletter\@ifclassloaded{sphinxhowto}{\renewcommand\thesection{\arabic{section}}"
        r"\renewcommand\thesubsection{\thesection.\arabic{subsection}}}{}\makeatother",
        # print rendering of the cases (council.latex.print_record)
        PRINT_PREAMBLE,
    ]),
    # A case PDF opens with the ward's cover (council.latex.print_record), then
    # its contents; a volume keeps Sphinx's title page and contents.
    "maketitle": r"\councilmaketitle",
    "tableofcontents": r"\counciltableofcontents",
    "sphinxsetup": "warningBorderColor={rgb}{0,0,0},div.warning_border-width=1.5pt",
    "printindex": "",
    # the Japanese class's own chapter heading (第1章): fncychap's Bjarne style
    # printed 「第」 over 「ONE」
    "fncychap": "",
    # no index: no makeindex run between the LaTeX passes
    "makeindex": "",
}
