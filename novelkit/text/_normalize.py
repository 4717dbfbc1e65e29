"""How texts and patterns are made comparable: NFC, width and case folding, line breaks.

- Every text and pattern is compared in Unicode NFC; offsets are code points of the
  NFC text (a character outside the BMP, an emoji or a CJK Extension B ideograph,
  counts as one).
- Case-insensitive comparison folds full-width Latin letters and digits
  (U+FF21–FF3A, U+FF41–FF5A, U+FF10–FF19) to ASCII with :meth:`str.translate`, one
  code point for one, and leaves case to ``re.IGNORECASE`` (Unicode simple case
  folding, also one for one). ``str.casefold`` is not used: it changes lengths
  (``"ß"`` becomes ``"ss"``) and with them every offset.
- Line breaks are ``\\r\\n``, ``\\n``, ``\\r``, U+2028 and U+2029.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "LINE_BREAK",
    "LINE_MARK",
    "fold_width",
    "folded_class",
    "has_full_width",
    "is_foldable",
    "nfc",
    "one_line",
    "split_lines",
]

#: A line break, ``\r\n`` first so that it is one break, not two. Written as literal
#: alternatives, not a character class: inside a larger alternation (see _mentions) a
#: class stops ``re`` from skipping ahead by first characters (3x slower).
LINE_BREAK = re.compile("\r\n|\n|\r|\u2028|\u2029")
#: What a line break becomes in a one-line excerpt.
LINE_MARK = "⏎"

_WIDTH = {
    **{0xFF21 + i: 0x41 + i for i in range(26)},  # Ａ-Ｚ
    **{0xFF41 + i: 0x61 + i for i in range(26)},  # ａ-ｚ
    **{0xFF10 + i: 0x30 + i for i in range(10)},  # ０-９
}
_WIDTH_TABLE = str.maketrans(_WIDTH)
_FOLDED_TO = frozenset(chr(c) for c in _WIDTH.values())
_FOLDED_FROM = frozenset(chr(c) for c in _WIDTH)
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_ASCII_OF = {chr(full): chr(ascii_) for full, ascii_ in _WIDTH.items()}
_FULL_OF = {chr(ascii_): chr(full) for full, ascii_ in _WIDTH.items()}
# Beyond upper and lower case, re.IGNORECASE lets these match an ASCII letter (found by
# trying every code point; a test does it again): İ and ı for i, the Kelvin sign for k,
# the long s for s.
_IGNORECASE_EXTRA = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


def nfc(text: str) -> str:
    """The NFC form of ``text``; the text itself when it is already NFC (most are).

    Examples
    --------
    >>> nfc("e\\u0301") == "\\u00e9"
    True
    """
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def fold_width(text: str) -> str:
    """Full-width Latin letters and digits as ASCII, every other code point unchanged.

    Examples
    --------
    >>> fold_width("ＡＩ第１章")
    'AI第1章'
    """
    return text.translate(_WIDTH_TABLE)


def has_full_width(text: str) -> bool:
    """Whether ``text`` holds a full-width Latin letter or digit (most prose holds none).

    Examples
    --------
    >>> has_full_width("第１章"), has_full_width("第1章")
    (True, False)
    """
    return _FULL_WIDTH.search(text) is not None


def folded_class(char: str) -> str | None:
    """Every character that ``char`` matches case- and width-insensitively, or None.

    Defined for ASCII and full-width Latin letters and digits only (None otherwise): the
    characters that folding the text's width and then ``re.IGNORECASE`` would let match.

    Examples
    --------
    >>> folded_class("ｋ"), folded_class("7"), folded_class("林")
    ('Kk\u212aＫｋ', '7７', None)
    """
    ascii_char = _ASCII_OF.get(char, char)
    if ascii_char not in _FOLDED_TO:
        return None
    lower = ascii_char.lower()
    variants = {lower, ascii_char.upper(), *_IGNORECASE_EXTRA.get(lower, "")}
    variants |= {_FULL_OF[variant] for variant in variants if variant in _FULL_OF}
    return "".join(sorted(variants))


def is_foldable(char: str) -> bool:
    """Whether case-insensitive matching can make ``char`` equal to another character.

    True for ASCII and full-width letters and digits and for every cased character
    (one whose upper or lower case differs from it); CJK ideographs and punctuation
    are not foldable, so a pattern made only of them is searched as is.

    Examples
    --------
    >>> is_foldable("林"), is_foldable("k"), is_foldable("７"), is_foldable("é")
    (False, True, True, True)
    """
    return (
        char in _FOLDED_TO or char in _FOLDED_FROM or char.lower() != char or char.upper() != char
    )


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, split at every line break (``\\r\\n`` is one).

    Examples
    --------
    >>> split_lines("一\\r\\n二\\n\\n三")
    ['一', '二', '', '三']
    """
    return LINE_BREAK.split(text)


def one_line(text: str) -> str:
    """``text`` with each line break shown as ``⏎``, so that it prints on one line.

    Examples
    --------
    >>> one_line("他说：\\r\\n“走。”\\u2028")
    '他说：⏎“走。”⏎'
    """
    return LINE_BREAK.sub(LINE_MARK, text)
