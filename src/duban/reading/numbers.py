"""Numbers as reports write them: Arabic (1,754 / 20.8), Chinese (一千二百 / 三 / 两), and
magnitudes (万, 亿, 万亿) folded into the value.

>>> parse_number("20.8")
20.8
>>> parse_number("一千七百五十四")
1754.0
>>> parse_number("十二")
12.0
>>> parse_number("两")
2.0
>>> MAGNITUDES["万亿"]
1000000000000
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
MAGNITUDES: dict[str, int] = {"万亿": 10**12, "亿": 10**8, "万": 10**4, "千万": 10**7, "百万": 10**6}

CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千"
ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
CHINESE = f"[{CN_NUMERAL_CHARS}]+(?:点[零〇一二三四五六七八九]+)?"
NUMBER_RE = re.compile(f"(?:{ARABIC}|{CHINESE})")


def parse_chinese(text: str) -> float | None:
    """Value of a Chinese numeral without magnitude (万/亿 are handled by the caller).

    >>> parse_chinese("三十五")
    35.0
    >>> parse_chinese("一百零八")
    108.0
    >>> parse_chinese("二点五")
    2.5
    >>> parse_chinese("一二") is None
    True
    """
    if "点" in text:
        whole, _, frac = text.partition("点")
        w = parse_chinese(whole) if whole else 0.0
        if w is None or not frac or any(c not in CN_DIGITS for c in frac):
            return None
        return float(f"{int(w)}.{''.join(str(CN_DIGITS[c]) for c in frac)}")
    total = 0
    current: int | None = None
    last_unit = 10**9
    for ch in text:
        if ch in CN_DIGITS:
            if current is not None and current != 0:
                return None  # 一二: two digits in a row is not a numeral
            current = CN_DIGITS[ch]
        elif ch in CN_SMALL_UNITS:
            unit = CN_SMALL_UNITS[ch]
            if unit >= last_unit:
                return None
            total += (1 if current is None else current) * unit
            current = None
            last_unit = unit
        else:
            return None
    if current:
        total += current
    return float(total)


def parse_number(text: str) -> float | None:
    """Value of an Arabic or Chinese number (no magnitude); None if it is not one.

    >>> parse_number("1,754")
    1754.0
    >>> parse_number("abc") is None
    True
    """
    t = text.replace(",", "")
    try:
        return float(t)
    except ValueError:
        return parse_chinese(text)


def scaled(text: str, magnitude: str | None) -> float | None:
    """A number times its magnitude, computed in decimal so 8.2万亿 stays 8200000000000.

    >>> scaled("8.2", "万亿")
    8200000000000.0
    >>> scaled("三", "万")
    30000.0
    """
    factor = MAGNITUDES[magnitude] if magnitude else 1
    try:
        return float(Decimal(text.replace(",", "")) * factor)
    except InvalidOperation:
        v = parse_chinese(text)
        return None if v is None else v * factor


def is_chinese(text: str) -> bool:
    """True when the number is written in Chinese characters."""
    return bool(text) and text[0] in CN_NUMERAL_CHARS
