"""A resident's name, with an age or an address, and a labelled name or address.

氏名と年齢 and 住所と氏名 are found in either order, across a line, with or
without an honorific, or as labelled fields; 氏名 and 住所 alone only after
their label. Field names (電話番号, 氏名、住所), polite forms (担当者様,
区民の皆様) and role words never match. A name without a label or an honorific
is recognised only when it starts with a frequent surname (:data:`SURNAMES`).
Each detector yields the spans it finds in folded text
(:mod:`council.read.folded_text`).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator

from council.read.folded_text import HAN, KANA, KANJI_NUM, NUM, Span, preceded_by

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
_ANY_NAME = rf"[{HAN}{KANA}]{{1,6}}(?:[ ][{HAN}{KANA}]{{1,6}})?"
_HONORIFIC = r"(?:様|さま|さん|殿|氏|君)"
# A name without such a cue must start with a listed surname (checked in
# Python, not by a regex alternation of hundreds of surnames: that is slow).
# A one-character surname (林, 森, 原, 東) starts too many words (原則, 東口):
# it counts only when a space follows. Given names in katakana are left to
# the labelled and honorific forms (a surname then ビル, ハイツ is a building).
_GIVEN = re.compile(rf"[{HAN}]{{1,3}}|[\u3041-\u3096]{{2,4}}")
_NAME_CANDIDATE = rf"(?<![{HAN}])[{HAN}]{{1,4}}[ ]?(?:[{HAN}]{{1,3}}|[\u3041-\u3096]{{2,4}})(?![{HAN}])"
_SURNAMES_LONGEST_FIRST = sorted(SURNAMES, key=len, reverse=True)

# An address of a residence: a block number (丁目・番地・号, or 1-4-1) after
# a place name, or a postal code. The block number is found first and the
# place name read backwards from it, so that the search stays linear.
_BLOCK_NUMBER = re.compile(
    r"\d{1,4}(?:(?P<dashes>-\d{1,4}-\d{1,4}(?:-\d{1,4})?)"
    r"|(?P<short>(?:-\d{1,4}|番地?)(?:[ ]?\d{1,4}号?)?)"
    rf"|(?P<chome>丁目[ ]?{NUM}(?:番地?|-)[ ]?(?:{NUM}号?)?))(?![0-9])"
)
# 一丁目2番3号: searched only in text that has 丁目.
_KANJI_CHOME = re.compile(rf"[{KANJI_NUM}]{{1,3}}(?P<chome>丁目[ ]?{NUM}(?:番地?|-)[ ]?(?:{NUM}号?)?)(?![0-9])")
_PLACE_CHARS = re.compile(rf"[{HAN}{KANA}ヶ]")
_MUNICIPALITY = re.compile(r"[都道府県区市町村郡]")
_POSTAL = re.compile(r"〒[ ]?\d{3}-?\d{4}")


_AGE_IN_BRACKETS = re.compile(r"\([ ]?(?:当時|満)?[ ]?\d{1,3}[ ]?[歳才]?[ ]?\)")
_AGE_IN_YEARS = re.compile(r"(?:当時|満)?\d{1,3}[歳才](?!以上|未満|以下|から|まで|代|児|頃)")


def _ages(text: str) -> Iterator[re.Match[str]]:
    yield from _AGE_IN_BRACKETS.finditer(text)
    if "歳" in text or "才" in text:
        for m in _AGE_IN_YEARS.finditer(text):
            if not preceded_by(text, m.start(), "0123456789"):
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


_SPACED_NAME = re.compile(rf"[{HAN}]{{1,4}} [{HAN}]{{1,3}}")


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


def names_with_age(text: str) -> Iterator[Span]:
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
        if preceded_by(text, m.start(), "0123456789"):
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


def addresses_with_names(text: str) -> Iterator[Span]:
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


def labelled_names(text: str) -> Iterator[Span]:
    for m in _LABELLED_NAME.finditer(text):
        if _is_name(m.group("n")):
            yield m.span("n")


def labelled_addresses(text: str) -> Iterator[Span]:
    for _, start, end in _labelled_addresses_spans(text):
        yield start, end
