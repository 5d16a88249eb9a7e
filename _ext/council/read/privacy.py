"""Privacy lint: the published record must not carry a resident's personal data.

:func:`find_personal_data` is a pure function over text. The kinds it finds
(:data:`KINDS`), also written with full-width digits and separators or split
over a line:

- 電話番号 with hyphens, brackets (also full-width), dots, slashes, spaces, +81;
- メールアドレス, also as ``(at)``, ``[at]``, ＠, アットマーク, without a dot;
- 個人番号 (12 digits) and 住民票コード (11 digits) only with a valid check
  digit, or after their label: contract numbers and amounts pass;
- 宛名番号 after its label; 生年月日 after a label or before 生/生まれ;
- 氏名と年齢, 住所と氏名 (either order, across a line, with or without an
  honorific, or as labelled fields), and a labelled 氏名 or 住所 alone.

Field names (電話番号, 氏名、住所), polite forms (担当者様, 区民の皆様) and
role words never match. A name without a label or an honorific is
recognised only when it starts with a frequent surname.

Why not a PII library: the usual ones (Presidio, GiNZA's named entities) need
language models of hundreds of megabytes, do not know the Japanese
identifiers with their check digits (個人番号, 住民票コード) or labels (宛名番号),
and give no reason an author can act on. Rules over the text are deterministic,
fast and reviewable; their accuracy is measured on the labelled corpus of the
tests (``council-privacy-eval``).

Public facts (the ward's public telephone number, a contractor's address)
are allowed by a reviewed allow-list, ``privacy-allowlist.toml`` at the
project root: each entry names the exact value, why it is public and who
reviewed it.

The Sphinx hook scans every source file as read (``source-read`` and
``include-read``), which covers page text, need contents and need fields with
their exact file and line, and reports ``council.read.privacy`` with the kind of
data and a masked value: the message never repeats what it found. What the
build publishes is scanned again by :mod:`council_publish.published_privacy`.
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging
from council.config import PRIVACY_ALLOWLIST_FILE, council_config

logger = logging.getLogger(__name__)

ALLOWLIST_FILE = PRIVACY_ALLOWLIST_FILE

# Full-width digits, letters and separators folded one-to-one to ASCII, so that
# offsets in the folded text are offsets in the original text.
_FOLD = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
    **{ord(c): ord("-") for c in "－‐‑‒–—―ー−"},
    **{ord("＠"): ord("@"), ord("．"): ord("."), ord("＿"): ord("_"), ord("＋"): ord("+")},
    **{ord("（"): ord("("), ord("）"): ord(")"), ord("\u3000"): ord(" ")},
    **{ord("［"): ord("["), ord("］"): ord("]"), ord("／"): ord("/"), ord("："): ord(":")},
    **{ord("，"): ord(","), ord("＝"): ord("=")},
}

# The kinds, in the order they claim text: a span taken by an earlier kind is
# not reported again by a later one (a 12-digit number with a valid check
# digit is a 個人番号, not also a telephone number).
PERSONAL_NUMBER = "個人番号"
RESIDENT_CODE = "住民票コード"
ADDRESSEE_NUMBER = "宛名番号"
EMAIL = "メールアドレス"
PHONE = "電話番号"
BIRTH_DATE = "生年月日"
NAME_AGE = "氏名と年齢"
ADDRESS_NAME = "住所と氏名"
NAME = "氏名"
ADDRESS = "住所"
KINDS: tuple[str, ...] = (
    PERSONAL_NUMBER, RESIDENT_CODE, ADDRESSEE_NUMBER, EMAIL, PHONE,
    BIRTH_DATE, NAME_AGE, ADDRESS_NAME, NAME, ADDRESS,
)

# -- building blocks (over folded text) ------------------------------------

_HAN = r"\u3005\u4e00-\u9fff"  # 々 and the CJK ideographs
_KANA = r"\u3041-\u3096\u30a1-\u30fa\-"  # folded ー is "-"
_KANJI_NUM = "一二三四五六七八九十〇"
_NUM = rf"(?:\d{{1,4}}|[{_KANJI_NUM}]{{1,3}})"

#: Frequent Japanese surnames. A personal name without an honorific or a
#: label is only recognised after one of these: plain text is full of kanji
#: compounds that a pattern cannot tell from a name (区役所本庁舎, 生活支援).
#: A well-known name list is the usual way; no library of one is pinned here,
#: and a short list kept with the lint is easy to review.
SURNAMES = frozenset("""
佐藤 鈴木 高橋 田中 伊藤 渡辺 渡邊 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤
斉藤 清水 山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤
青木 坂本 斉藤 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内 小野 田村 中山 和田
石田 森田 上田 原 内田 柴田 酒井 宮崎 横山 高木 安藤 宮本 大野 小島 谷口 今井 工藤 高田 増田 丸山
杉山 村田 大塚 新井 小山 平野 藤本 河野 上野 野口 武田 松井 千葉 岩崎 菅原 木下 久保 佐野 野村 松尾
市川 菊地 杉本 古川 大西 島田 水野 桜井 高野 渡部 吉川 山内 西田 飯田 菊池 西川 小松 北村 安田 五十嵐
川口 平田 関 中田 久保田 服部 東 岩田 土屋 川崎 福島 本田 辻 樋口 秋山 田口 永井 山中 中西 吉村 川上
石原 大橋 松岡 馬場 浜田 森本 星野 矢野 浅野 大久保 松下 吉岡 小池 野田 荒木 大谷 内藤 松浦 熊谷 黒田
尾崎 永田 川村 望月 田辺 松村 荒井 堀 大島 平井 早川 菅野 栗原 西山 広瀬 横田 石橋 萩原 岩本 片山 関口
宮田 大石 高山 本間 吉野 須藤 岡崎 小田 伊東 鎌田 上原 篠原 小西 松原 福井 古賀 大森 成田 南 奥村 内山
沢田 川島 桑原 三宅 片岡 富田 杉浦 岡 八木 奥田 小沢 松永 北川 関根 河合 平山 牧野 白石 今村 寺田 青山
中尾 小倉 渋谷 上村 小野寺 大山 足立 岡村 坂口 天野 多田 佐久間 根本 豊田 田島 飯塚 角田 村山 武藤 西
白井 宮下 塚本 榎本 神田 坂田 児玉 大川 田代 宮内 河村 小森 相馬
""".split())

#: Words that end a would-be given name in ordinary text: a surname followed
#: by one of these is a place, an office or an organisation, not a person.
_NOT_IN_GIVEN_NAME = set("区市町村都道府県役所庁課係部局室館会社店駅園校院署寺丁目番地号階棟法協組合様殿氏君宛等")
_NOT_A_NAME = (
    "担当", "皆様", "各位", "関係者", "区民", "住民", "利用者", "責任者", "代表者", "受託者",
    "事業者", "委託先", "御中", "本人", "家族", "職員", "委員", "記載", "不要", "なし", "無し",
    "省略", "非公開", "氏名", "住所", "名前", "該当", "性別", "生年", "年齢", "電話", "番号",
    "連絡先", "項目", "記入", "欄", "及び", "および", "並びに", "又は", "または", "情報",
    "会社", "法人", "財団", "協会", "組合", "団体", "機構", "事務", "事業", "業務", "委託", "担当",
    "区長", "部長", "課長", "所長", "会長", "館長", "園長", "校長", "理事", "代表",
)
# A name does not start with a particle or a conjunction.
_NOT_FIRST_IN_NAME = set("をはがにでとのもへや及並又")
_PLACEHOLDER = re.compile(r"[○〇△□×＊*…‥_＿?？]|XX|xx|ＸＸ|\.\.\.")

# A personal name written with any characters (used where a label or an
# honorific says that a name follows): surname and given name, with an
# optional space between.
_ANY_NAME = rf"[{_HAN}{_KANA}]{{1,6}}(?:[ ][{_HAN}{_KANA}]{{1,6}})?"
_HONORIFIC = r"(?:様|さま|さん|殿|氏|君)"
# A name without such a cue must start with a listed surname (checked in
# Python, not by a regex alternation of hundreds of surnames: that is slow).
# A one-character surname (林, 森, 原, 東) starts too many words (原則, 東口):
# it counts only when a space follows. Given names in katakana are left to
# the labelled and honorific forms (a surname then ビル, ハイツ is a building).
_GIVEN = re.compile(rf"[{_HAN}]{{1,3}}|[\u3041-\u3096]{{2,4}}")
_NAME_CANDIDATE = rf"(?<![{_HAN}])[{_HAN}]{{1,4}}[ ]?(?:[{_HAN}]{{1,3}}|[\u3041-\u3096]{{2,4}})(?![{_HAN}])"
_SURNAMES_LONGEST_FIRST = sorted(SURNAMES, key=len, reverse=True)

# An address of a residence: a block number (丁目・番地・号, or 1-4-1) after
# a place name, or a postal code. The block number is found first and the
# place name read backwards from it, so that the search stays linear.
_BLOCK_NUMBER = re.compile(
    r"\d{1,4}(?:(?P<dashes>-\d{1,4}-\d{1,4}(?:-\d{1,4})?)"
    r"|(?P<short>(?:-\d{1,4}|番地?)(?:[ ]?\d{1,4}号?)?)"
    rf"|(?P<chome>丁目[ ]?{_NUM}(?:番地?|-)[ ]?(?:{_NUM}号?)?))(?![0-9])"
)
# 一丁目2番3号: searched only in text that has 丁目.
_KANJI_CHOME = re.compile(rf"[{_KANJI_NUM}]{{1,3}}(?P<chome>丁目[ ]?{_NUM}(?:番地?|-)[ ]?(?:{_NUM}号?)?)(?![0-9])")
_PLACE_CHARS = re.compile(rf"[{_HAN}{_KANA}ヶ]")
_MUNICIPALITY = re.compile(r"[都道府県区市町村郡]")
_POSTAL = re.compile(r"〒[ ]?\d{3}-?\d{4}")

_LABEL_SEP = r"[ \t]*[:=][ \t]*|[ \t]*は[ \t]*|[ \t]+"


@dataclass(frozen=True, order=True)
class Finding:
    lineno: int
    kind: str
    value: str

    @property
    def masked(self) -> str:
        return mask(self.value)


@dataclass(frozen=True)
class Allowed:
    value: str
    reason: str
    reviewer: str
    kind: str = ""


_FOLD_CHARS = {chr(k): chr(v) for k, v in _FOLD.items()}
_FOLDED = re.compile("[" + "".join(re.escape(c) for c in _FOLD_CHARS) + "]")


def fold(text: str) -> str:
    """Full-width digits, letters and separators as ASCII (same length).

    (A substitution of the few characters to fold: ``str.translate`` with a
    table looks every character up, ten times slower on Japanese text.)
    """
    return _FOLDED.sub(lambda m: _FOLD_CHARS[m.group()], text)


def mask(value: str) -> str:
    """Keep the first character and the separators; hide everything else."""
    return value[:1] + "".join(c if c in "-()@. 　\n" else "*" for c in value[1:]).replace("\n", " ")


def mod11_check_digit(digits: str) -> int:
    """The check digit of 個人番号 (番号法施行令第8条, 総務省令第85号第5条).

    Weights 2..7 from the lowest digit, repeating; 11 − (sum mod 11), and 0
    when the remainder is 0 or 1.
    """
    total = sum(int(d) * (n % 6 + 2) for n, d in enumerate(reversed(digits)))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def valid_personal_number(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return len(digits) == 12 and mod11_check_digit(digits[:11]) == int(digits[11])


def valid_resident_code(number: str) -> bool:
    """住民票コード: ten digits and a check digit.

    Assumption (this site's reading, not checked against the 省令's text): the
    same modulus-11 scheme with weights 2..7 as the 個人番号.
    """
    digits = re.sub(r"\D", "", number)
    return len(digits) == 11 and mod11_check_digit(digits[:10]) == int(digits[10])


# -- detectors: each yields (start, end) spans over the folded text ----------

Span = tuple[int, int]

# Patterns start with what they match, not with a look-behind: Python's
# regex engine then skips ahead to candidate characters quickly; what may
# not precede a match is checked afterwards.
def _preceded_by(text: str, start: int, chars: str) -> bool:
    return start > 0 and text[start - 1] in chars


_NOT_BEFORE_NUMBER = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.,-"
_GROUP_SEP = r"(?:[- ]?|[- ]?\n[ \t]*)"
_TWELVE = re.compile(
    rf"\d{{4}}{_GROUP_SEP}\d{{4}}{_GROUP_SEP}\d{{4}}(?![0-9A-Za-z_,]|[.-]\d)"
)


def _personal_numbers(text: str) -> Iterator[Span]:
    for m in _TWELVE.finditer(text):
        if _preceded_by(text, m.start(), _NOT_BEFORE_NUMBER):
            continue
        after = text[m.end():m.end() + 2].lstrip()
        if after.startswith(("円", "万", "億")):  # an amount
            continue
        if valid_personal_number(m.group()):
            yield m.span()


_ELEVEN = re.compile(r"\d{11}(?![0-9A-Za-z_,]|[.-]\d)")
_RC_LABEL = re.compile(fold("住民票コード") + r"[^\n\d]{0,6}$")


def _resident_codes(text: str) -> Iterator[Span]:
    for m in _ELEVEN.finditer(text):
        if _preceded_by(text, m.start(), _NOT_BEFORE_NUMBER):
            continue
        labelled = bool(_RC_LABEL.search(text, max(0, m.start() - 12), m.start()))
        if labelled or (not m.group().startswith("0") and valid_resident_code(m.group())
                        and not text[m.end():m.end() + 1] == "円"):
            yield m.span()


_ADDRESSEE = re.compile(
    rf"宛名(?:番号|{fold('コード')}|ID)(?:{_LABEL_SEP}|[ \t]*)[(]?[ ]?(?:第[ ]?)?(\d[\d-]{{2,}}\d)(?!\d)"
)


def _addressee_numbers(text: str) -> Iterator[Span]:
    for m in _ADDRESSEE.finditer(text):
        yield m.span(1)


_LOCAL = r"[A-Za-z0-9][A-Za-z0-9._%+-]*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DOT = r"(?:[ ]?\.[ ]?|[ ]?[(\[][ ]?dot[ ]?[)\]][ ]?|[ ]dot[ ])"
_WORD_DOT = r"(?:[ ]?[(\[][ ]?(?i:dot)[ ]?[)\]][ ]?|[ ](?:dot|DOT)[ ])"
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9_.%+-]){_LOCAL}"
    rf"(?:[ ]?@[ ]?{_LABEL}(?:{_DOT}{_LABEL})*"  # @, the domain may lack a dot
    rf"|[ ]?[(\[][ ]?(?i:at)[ ]?[)\]][ ]?{_LABEL}(?:{_DOT}{_LABEL})*"  # (at) [at]
    rf"|[ ]?[(\[「]?[ ]?(?:アットマ-ク|アット|あっと|[★☆◆■●])[ ]?[)\]」]?[ ]?{_LABEL}(?:{_DOT}{_LABEL})+"
    # a bare "at" only with a spelt-out dot, or as "AT": English prose has "look at example.com"
    rf"|[ ](?:at|AT)[ ]{_LABEL}(?:{_WORD_DOT}{_LABEL})+"
    rf"|[ ]AT[ ]{_LABEL}(?:{_DOT}{_LABEL})+)"
)


# Every form of an address has one of these; text without any is skipped.
_EMAIL_HINT = re.compile(r"@|[(\[ ](?:at|AT|At)[)\] ]|アット|あっと|[★☆◆■●]")


#: The site's own trace fingerprints (``confirmed_against: CL_B_08@e68b5f638e40``,
#: council.rules.suspect): a need ID, "@" and 12 hex digits, never an address.
_FINGERPRINT = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+@[0-9a-f]{12}")


def _emails(text: str) -> Iterator[Span]:
    if not _EMAIL_HINT.search(text):
        return
    for m in _EMAIL.finditer(text):
        if _FINGERPRINT.fullmatch(m.group().strip()):
            continue
        yield m.start(), m.end() - (len(m.group()) - len(m.group().rstrip(" ")))


# Separators between the groups of a telephone number: a hyphen, dot or
# slash (with spaces or a line break around), spaces, or a line break.
_PSEP = r"(?:[ \t]*[-./][ \t]*(?:\n[ \t]*)?|[ \t]*\n[ \t]*[-./]?[ \t]*|[ \t]+)"
_PHONE = re.compile(
    rf"\(0\d{{1,4}}\)[ \t]*\d{{1,4}}(?:{_PSEP})?\d{{3,4}}(?![0-9A-Za-z_]|[-./]\d)"  # (03)1234-5678
    rf"|0\d{{1,4}}[ \t]*\([ \t]*\d{{1,4}}[ \t]*\)[ \t]*\d{{3,4}}(?![0-9A-Za-z_]|[-./]\d)"  # 03(1234)5678
    rf"|0\d{{1,4}}{_PSEP}\d{{1,4}}{_PSEP}\d{{3,4}}(?![0-9A-Za-z_]|[-./]\d)"  # 03-1234-5678, 03.1234.5678
    r"|(?P<run>0\d{9,10})(?![0-9A-Za-z_]|[-./]\d)"
    r"|\+81[-. ]?\(?0?\)?\d{1,4}\)?[-. ]?\d{1,4}[-. ]?\d{3,4}(?![0-9A-Za-z_]|[-./]\d)"
)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _phones(text: str) -> Iterator[Span]:
    for m in _PHONE.finditer(text):
        if _preceded_by(text, m.start(), "0123456789_.,/+-"):
            continue
        # a bare run of digits after letters is an identifier, unless the letters say TEL/FAX
        if m.group("run") and _preceded_by(text, m.start(), _LETTERS) \
                and not text[max(0, m.start() - 3):m.start()].upper() in ("TEL", "FAX"):
            continue
        digits = re.sub(r"\D", "", m.group())
        if digits.startswith("81") and m.group().startswith("+"):
            digits = "0" + digits[2:].lstrip("0")
        if len(digits) in (10, 11):
            yield m.span()


_ERA = r"(?:明治|大正|昭和|平成|令和|[MTSHR]\.?[ ]?)"
_DATE = (
    rf"(?:{_ERA}[ ]?(?:{_NUM}|元)[ ]?(?:年|[./-])[ ]?{_NUM}[ ]?(?:月|[./-])[ ]?{_NUM}[ ]?日?"
    rf"|(?:18|19|20)\d{{2}}[ ]?(?:年|[./-])[ ]?(?:\([^)\n]{{1,8}}\)[ ]?)?\d{{1,2}}[ ]?(?:月|[./-])[ ]?\d{{1,2}}[ ]?日?)"
)
_BIRTH_LABELLED = re.compile(
    rf"(?:生年月日|誕生日|出生日|生年)(?:[(][^)\n]{{1,6}}[)])?(?:{_LABEL_SEP}|[ \t]*)[(]?(?P<a>{_DATE})"
)
# A date before 生/生まれ, read backwards from it (a scan for dates
# everywhere would try every position of the text).
_BORN = re.compile(rf"(?:生まれ|生)(?![{_HAN}])")
_DATE_BEFORE_BORN = re.compile(rf"[(]?{_DATE}[ ]?$")


def _birth_dates(text: str) -> Iterator[Span]:
    for m in _BIRTH_LABELLED.finditer(text):
        yield m.span("a")
    for born in _BORN.finditer(text):
        lo = max(0, born.start() - 24)
        m = _DATE_BEFORE_BORN.search(text, lo, born.start())
        if m:
            yield m.start(), born.end()


_AGE_IN_BRACKETS = re.compile(r"\([ ]?(?:当時|満)?[ ]?\d{1,3}[ ]?[歳才]?[ ]?\)")
_AGE_IN_YEARS = re.compile(r"(?:当時|満)?\d{1,3}[歳才](?!以上|未満|以下|から|まで|代|児|頃)")


def _ages(text: str) -> Iterator[re.Match[str]]:
    yield from _AGE_IN_BRACKETS.finditer(text)
    if "歳" in text or "才" in text:
        for m in _AGE_IN_YEARS.finditer(text):
            if not _preceded_by(text, m.start(), "0123456789"):
                yield m
_NAME_BEFORE_AGE = re.compile(
    rf"(?:(?P<h>{_ANY_NAME})[ ]?{_HONORIFIC}|(?P<n>{_NAME_CANDIDATE}))[ ・、,]?$"
)
_AGE_THEN_NAME = re.compile(rf"(?<![0-9])\d{{1,3}}歳の(?P<n>{_NAME_CANDIDATE})")


def _is_name(name: str) -> bool:
    bare = name.replace(" ", "").rstrip("様殿氏君")
    if len(bare) < 2 or _PLACEHOLDER.search(bare) or bare[0] in _NOT_FIRST_IN_NAME:
        return False
    if any(word in bare for word in _NOT_A_NAME):
        return False
    # The given name (after a listed surname or the space, else after the
    # first character) must not hold a character of places and offices.
    surname = next((n for n in _SURNAMES_LONGEST_FIRST if bare.startswith(n)), "")
    if surname:
        given = bare[len(surname):]
    elif " " in name.strip():
        given = name.strip().split(" ", 1)[1]
    else:
        given = bare[1:]
    return not (set(given) & _NOT_IN_GIVEN_NAME)


_SPACED_NAME = re.compile(rf"[{_HAN}]{{1,4}} [{_HAN}]{{1,3}}")


def _is_listed_name(candidate: str) -> bool:
    """A listed surname, then a given name (a one-character surname: a space
    between); or any two words of kanji with a space between (山田 太郎), the
    way a name is written in an address block."""
    if _SPACED_NAME.fullmatch(candidate) and _is_name(candidate):
        return True
    for size in (3, 2, 1):
        surname, rest = candidate[:size], candidate[size:]
        if surname not in SURNAMES:
            continue
        if size == 1 and not rest.startswith(" "):
            return False
        if _GIVEN.fullmatch(rest.lstrip(" ")) and _is_name(candidate):
            return True
    return False


def _name_before(text: str, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """The first match of *pattern* (anchored at the end) naming a person."""
    start = 0
    while (m := pattern.search(text, start)) is not None:
        if (m.group("h") and _is_name(m.group("h"))) or (m.group("n") and _is_listed_name(m.group("n"))):
            return m
        start = m.start() + 1
    return None


def _names_with_age(text: str) -> Iterator[Span]:
    for age in _ages(text):
        lo = max(0, age.start() - 16)
        m = _name_before(text[lo:age.start()], _NAME_BEFORE_AGE)
        if m:
            yield lo + m.start(), age.end()
    for m in _AGE_THEN_NAME.finditer(text):
        if _is_listed_name(m.group("n")):
            yield m.span()


@functools.lru_cache(maxsize=4)
def _address_spans(text: str) -> tuple[Span, ...]:
    """Addresses with a block number or a postal code, in order."""
    spans: list[Span] = []
    blocks = list(_BLOCK_NUMBER.finditer(text))
    if "丁目" in text:
        blocks += _KANJI_CHOME.finditer(text)
    for m in blocks:
        if _preceded_by(text, m.start(), "0123456789"):
            continue
        start = m.start()
        while start > 0 and m.start() - start < 16 and _PLACE_CHARS.match(text, start - 1):
            start -= 1
        place = text[start:m.start()]
        if not place or (m.groupdict().get("short") and not _MUNICIPALITY.search(place)):
            continue
        spans.append((start, m.end()))
    postal = [m.span() for m in _POSTAL.finditer(text)]
    merged: list[Span] = []
    for start, end in sorted(spans + postal):
        if merged and start - merged[-1][1] <= 24 and "\n" not in text[merged[-1][1]:start] \
                and text[merged[-1][0]] == "〒" and merged[-1][1] - merged[-1][0] <= 9:
            merged[-1] = (merged[-1][0], end)  # a postal code, then its address
        elif merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _segment_after(text: str, end: int) -> str:
    """What may follow an address before a name: this line, or the next one."""
    segment = text[end:end + 48].split("。", 1)[0]
    lines = segment.split("\n")
    return "\n".join(lines[:2])


def _segment_before(text: str, start: int) -> str:
    segment = text[max(0, start - 40):start].rsplit("。", 1)[-1]
    return "\n".join(segment.split("\n")[-2:])


_HONORIFIC_NAME = re.compile(rf"(?P<h>{_ANY_NAME})[ ]?{_HONORIFIC}")
_CANDIDATES = re.compile(_NAME_CANDIDATE)
_NAME_BEFORE_ADDRESS = re.compile(
    rf"(?:(?P<h>{_ANY_NAME})[ ]?{_HONORIFIC}|(?P<n>{_NAME_CANDIDATE}))"
    r"[ \t、,(]*(?:\n[ \t]*)?(?:住所[ \t]*:?[ \t]*)?$"
)


def _name_after(segment: str) -> int | None:
    """The end (in *segment*) of the first person's name in it, if any."""
    ends = []
    for m in _HONORIFIC_NAME.finditer(segment):
        if _is_name(m.group("h")):
            ends.append((m.start(), m.end()))
            break
    for m in _CANDIDATES.finditer(segment):
        if _is_listed_name(m.group()):
            ends.append(m.span())
            break
    return min(ends)[1] if ends else None


_NAME_LABEL = (
    r"(?:氏名|お名前|名前|利用者名|申請者名|対象者名|世帯主名?|フリガナ|ふりがな|カナ氏名)"
    r"(?:[(][^)\n]{1,6}[)])?"
)
# Not 所在地: that is where an office or a contractor is.
_ADDRESS_LABEL = re.compile(r"(?:住所|現住所|居所)(?:[ \t]*[:=][ \t]*|[ \t]+)")
_LABELLED_NAME = re.compile(rf"{_NAME_LABEL}(?:[ \t]*[:=][ \t]*|[ \t]+)(?P<n>{_ANY_NAME})")
_PAIR_SEP = re.compile(r"[ \t、,;]*(?:\n[ \t]*)?")


def _labelled_addresses_spans(text: str) -> list[tuple[int, int, int]]:
    """(label start, address start, address end) of each labelled address."""
    found = []
    addresses = _address_spans(text)
    starts = [a[0] for a in addresses]
    for label in _ADDRESS_LABEL.finditer(text):
        i = bisect.bisect_left(starts, label.end())
        if i < len(addresses):
            start, end = addresses[i]
            between = text[label.end():start]
            if len(between) <= 20 and "\n" not in between:
                found.append((label.start(), start, end))
    return found


def _addresses_with_names(text: str) -> Iterator[Span]:
    # labelled pairs: 氏名：… then 住所：…, or the other way round
    names = [(m.start(), m.end()) for m in _LABELLED_NAME.finditer(text) if _is_name(m.group("n"))]
    name_starts = [start for start, _ in names]
    for label_start, _, address_end in _labelled_addresses_spans(text):
        i = bisect.bisect_left(name_starts, label_start)
        # the name just before the address label, or the one just after the address
        for name_start, name_end in names[max(0, i - 1):i + 2]:
            if name_end <= label_start and _PAIR_SEP.fullmatch(text, name_end, label_start):
                yield name_start, address_end
            elif name_start >= address_end and _PAIR_SEP.fullmatch(text, address_end, name_start):
                yield label_start, name_end
    # an address, then a name on the same or the next line
    for start, end in _address_spans(text):
        after = _name_after(_segment_after(text, end))
        if after is not None:
            yield start, end + after
            continue
        before = _segment_before(text, start)
        m = _name_before(before, _NAME_BEFORE_ADDRESS)
        if m:
            yield start - len(before) + m.start(), end


def _labelled_names(text: str) -> Iterator[Span]:
    for m in _LABELLED_NAME.finditer(text):
        if _is_name(m.group("n")):
            yield m.span("n")


def _labelled_addresses(text: str) -> Iterator[Span]:
    for _, start, end in _labelled_addresses_spans(text):
        yield start, end


DETECTORS: tuple[tuple[str, Callable[[str], Iterator[Span]]], ...] = (
    (PERSONAL_NUMBER, _personal_numbers),
    (RESIDENT_CODE, _resident_codes),
    (ADDRESSEE_NUMBER, _addressee_numbers),
    (EMAIL, _emails),
    (PHONE, _phones),
    (BIRTH_DATE, _birth_dates),
    (NAME_AGE, _names_with_age),
    (ADDRESS_NAME, _addresses_with_names),
    (NAME, _labelled_names),
    (ADDRESS, _labelled_addresses),
)


def find_personal_data(text: str, allowed: Sequence[Allowed] = ()) -> list[Finding]:
    """Every match in *text* (1-based line numbers), except allowed values."""
    folded = fold(text)
    allowed_values = {fold(a.value) for a in allowed}
    line_starts = [0, *(m.end() for m in re.finditer("\n", folded))]
    taken: list[Span] = []  # sorted, never overlapping
    findings = []
    for kind, detect in DETECTORS:
        for start, end in detect(folded):
            i = bisect.bisect_left(taken, (start, end))
            if (i > 0 and taken[i - 1][1] > start) or (i < len(taken) and taken[i][0] < end):
                continue
            taken.insert(i, (start, end))
            value = folded[start:end]
            if value in allowed_values or any(a in value for a in allowed_values if len(a) >= 6):
                continue
            lineno = bisect.bisect_right(line_starts, start)
            findings.append(Finding(lineno, kind, text[start:end]))
    return sorted(findings)


def load_allowlist(path: Path) -> tuple[list[Allowed], list[str]]:
    """The reviewed entries of the allow-list, and the problems with it."""
    if not path.is_file():
        return [], []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return [], [f"{path.name} を読めません: {exc}"]
    entries, problems = [], []
    for n, entry in enumerate(data.get("allow", []), start=1):
        missing = [k for k in ("value", "reason", "reviewer") if not str(entry.get(k, "")).strip()]
        if missing:
            problems.append(
                f"{path.name} の {n} 番目の項目に {'、'.join(missing)} がありません"
                "（値・公開情報である理由・確認者が必要です）"
            )
            continue
        entries.append(
            Allowed(
                value=str(entry["value"]),
                reason=str(entry["reason"]),
                reviewer=str(entry["reviewer"]),
                kind=str(entry.get("kind", "")),
            )
        )
    return entries, problems


def message(finding: Finding) -> str:
    return (
        f"個人情報と思われる{finding.kind}（{finding.masked}）があります。"
        f"住民の個人情報は掲載できません。公開情報であれば {ALLOWLIST_FILE} に"
        "理由と確認者を添えて登録してください"
    )


def _allowlist(app: Sphinx) -> list[Allowed]:
    cached = getattr(app, "_council_privacy_allowlist", None)
    if cached is None:
        path = Path(app.confdir, council_config(app).privacy_allowlist)
        cached, problems = load_allowlist(path)
        for problem in problems:
            logger.warning(problem, type="council", subtype="privacy_allowlist",
                           location=str(path))
        app._council_privacy_allowlist = cached  # type: ignore[attr-defined]
    return cached


def _scan(app: Sphinx, docname: str, source: list[str], *, location: Any = None) -> None:
    for finding in find_personal_data(source[0], _allowlist(app)):
        logger.warning(
            message(finding),
            type="council",
            subtype="privacy",
            location=location(finding.lineno) if location else (docname, finding.lineno),
        )


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    _scan(app, docname, source)


def _include_read(app: Sphinx, relative_path: Path, parent_docname: str, content: list[str]) -> None:
    path = Path(app.srcdir, relative_path)
    _scan(app, parent_docname, content, location=lambda line: f"{path}:{line}")


def setup_privacy(app: Sphinx) -> None:
    app.connect("source-read", _source_read)
    app.connect("include-read", _include_read)
