"""The site's own configuration values, declared once.

Every value is a field of :class:`CouncilConfig`, set in ``conf.py`` (or with
``-D``) as ``council_<field>``. :func:`setup_config` registers them all with
Sphinx; when the configuration is read, :func:`council_config` checks each
value once (type and range, a Japanese message naming the setting) and the
other modules read the checked object, never ``app.config.council_*``.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

#: The prefix of every value in conf.py.
PREFIX = "council_"
_APP_ATTR = "_council_config"


def _setting(default: Any, rebuild: str, doc: str, minimum: int | None = None,
             choices: tuple[str, ...] = ()) -> Any:
    return field(default=default,
                 metadata={"rebuild": rebuild, "doc": doc, "minimum": minimum, "choices": choices})


#: The licences the site can state (council.directives.licence has their texts).
LICENCE_CHOICES = ("PDL1.0", "CC-BY-4.0")
#: The privacy lint's list of public data that looks personal.
PRIVACY_ALLOWLIST_FILE = "privacy-allowlist.toml"
#: Larger sources are refused before Sphinx parses them.
MAX_SOURCE_BYTES = 1_000_000


@dataclass(frozen=True)
class CouncilConfig:
    #: Where links of the source tree must resolve (default: the source directory).
    #: The one-case check builds a small project whose shared folders link into the real one.
    confine_root: str = _setting("", "env", "読み込むファイルが収まるべきディレクトリ（既定: ソースディレクトリ）")
    #: Install the workarounds of council.compat for the build.
    compat: bool = _setting(True, "", "上流ライブラリへの回避策を使う")
    #: Render the site's needs directly (council.html.render); False leaves them to sphinx-needs.
    fast_needs: bool = _setting(True, "html", "ニーズの表示を本サイトで直接つくる（0 で sphinx-needs に任せる）")
    #: The sidebar lists only the current page's branch under entries with many children.
    navigation_light: bool = _setting(True, "html", "子の多い目次項目では、表示中のページの枝だけを示す")
    navigation_maxdepth: int = _setting(3, "html", "サイドバーの目次の深さ", minimum=1)
    navigation_max_children: int = _setting(40, "html", "これより子の多い目次項目は枝だけを示す", minimum=1)
    #: The public address printed in the PDFs' colophon (default: html_baseurl).
    public_url: str = _setting("", "env", "PDF の奥付に印刷する公開アドレス（既定: html_baseurl）")
    #: The licence of the site's text and data: one of LICENCE_CHOICES.
    licence: str = _setting("PDL1.0", "html", "サイトの文章とデータの利用条件", choices=LICENCE_CHOICES)
    #: False until the ward has confirmed the licence: pages then say it is provisional.
    licence_confirmed: bool = _setting(False, "html", "利用条件を区が確認済みか")
    #: The privacy lint's allow-list, relative to the configuration directory.
    privacy_allowlist: str = _setting(PRIVACY_ALLOWLIST_FILE, "env", "個人情報の確認で許可する公開情報の一覧")
    #: Larger sources are refused before Sphinx parses them.
    max_source_bytes: int = _setting(MAX_SOURCE_BYTES, "env", "原稿ファイルの大きさの上限（バイト）", minimum=1)
    #: The LaTeX of the last publication, whose unchanged documents are copied (council.latex.kept_tex);
    #: set by council-build.
    latex_kept: str = _setting("", "", "前回の公開の LaTeX の原稿の場所（変わっていない文書を写す。council-build が指定）")


def _check(name: str, value: Any, spec: Any) -> Any:
    expected = type(spec.default)
    # bool is an int: -D council_fast_needs=0 arrives as an int or a string
    if expected is bool and isinstance(value, (int, str)) and str(value) in {"0", "1", "True", "False"}:
        value = str(value) in {"1", "True"}
    if expected is int and isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(
            f"設定 {PREFIX}{name} の値 {value!r} は使えません（{expected.__name__} で指定してください）"
        )
    choices = spec.metadata.get("choices")
    if choices and value not in choices:
        raise ConfigError(
            f"設定 {PREFIX}{name} の値 {value!r} は使えません（{'、'.join(choices)} のいずれかを指定してください）"
        )
    minimum = spec.metadata.get("minimum")
    if minimum is not None and value < minimum:
        raise ConfigError(f"設定 {PREFIX}{name} の値 {value!r} は {minimum} 以上にしてください")
    return value


def load(config: Config) -> CouncilConfig:
    """The checked configuration object of a Sphinx configuration."""
    values = {spec.name: _check(spec.name, getattr(config, PREFIX + spec.name), spec)
              for spec in fields(CouncilConfig)}
    return CouncilConfig(**values)


def council_config(app: Sphinx) -> CouncilConfig:
    """The site's configuration for *app*, checked once per build."""
    cached = getattr(app, _APP_ATTR, None)
    if cached is None:
        cached = load(app.config)
        setattr(app, _APP_ATTR, cached)
    return cached


def _config_inited(app: Sphinx, config: Config) -> None:
    setattr(app, _APP_ATTR, load(config))


def setup_config(app: Sphinx) -> None:
    for spec in fields(CouncilConfig):
        assert spec.default is not MISSING
        app.add_config_value(PREFIX + spec.name, spec.default, spec.metadata["rebuild"],
                             types=(type(spec.default),), description=spec.metadata["doc"])
    # first: every other handler may read the checked values
    app.connect("config-inited", _config_inited, priority=1)
