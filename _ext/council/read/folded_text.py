"""Text as the personal-data patterns read it.

Full-width digits, letters and separators are folded one-to-one to ASCII
(:func:`fold`), so that one pattern reads both widths and an offset in the
folded text is an offset in the original text. Beside it, what the patterns of
every kind share: the character classes, the separator after a label, and the
check of what precedes a match.
"""

from __future__ import annotations

import re

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
_FOLD_CHARS = {chr(k): chr(v) for k, v in _FOLD.items()}
_FOLDED = re.compile("[" + "".join(re.escape(c) for c in _FOLD_CHARS) + "]")


def fold(text: str) -> str:
    """Full-width digits, letters and separators as ASCII (same length).

    (A substitution of the few characters to fold: ``str.translate`` with a
    table looks every character up, ten times slower on Japanese text.)
    """
    return _FOLDED.sub(lambda m: _FOLD_CHARS[m.group()], text)


# -- building blocks (over folded text) ------------------------------------

HAN = r"\u3005\u4e00-\u9fff"  # 々 and the CJK ideographs
KANA = r"\u3041-\u3096\u30a1-\u30fa\-"  # folded ー is "-"
KANJI_NUM = "一二三四五六七八九十〇"
NUM = rf"(?:\d{{1,4}}|[{KANJI_NUM}]{{1,3}})"
LABEL_SEP = r"[ \t]*[:=][ \t]*|[ \t]*は[ \t]*|[ \t]+"

#: A match: (start, end) over the folded text.
Span = tuple[int, int]

# Patterns start with what they match, not with a look-behind: Python's
# regex engine then skips ahead to candidate characters quickly; what may
# not precede a match is checked afterwards.
def preceded_by(text: str, start: int, chars: str) -> bool:
    return start > 0 and text[start - 1] in chars
