"""Words and figures as an office writes them: values with their unit and bound, shares, labels.

Everything here is plain text in, plain text out, so the xlsx, Word, CSV and Markdown writers
say the same thing the same way.
"""

from __future__ import annotations

from duban.reading.output import human_number

# Promise verdicts (duban.review.model) keep their labels there; the plan review's own four:
DUTY_VERDICT_LABELS: dict[str, str] = {
    "done": "已完成",
    "mostly_done": "基本完成",
    "not_done": "未完成",
    "behind": "滞后",
}
DUTY_VERDICTS: tuple[str, ...] = tuple(DUTY_VERDICT_LABELS)

# Fill and font colours per verdict (Excel's own "good / bad / neutral" pairs, grey for no data).
GREEN, RED, AMBER, GREY, TEAL = (
    ("C6EFCE", "006100"),
    ("FFC7CE", "9C0006"),
    ("FFEB9C", "9C5700"),
    ("E7E6E6", "3A3838"),
    ("DDEBF7", "1F4E79"),
)
VERDICT_COLOURS: dict[str, tuple[str, str]] = {
    "met": GREEN,
    "missed": RED,
    "unverifiable": GREY,
    "ambiguous": AMBER,
    "done": GREEN,
    "mostly_done": TEAL,
    "not_done": RED,
    "behind": AMBER,
}

_BEFORE = {"at_least": "≥", "at_most": "≤"}
_AFTER = {"about": "左右"}


def figure_text(
    value: float | None, unit: str | None, bound: str = "exact", value_high: float | None = None
) -> str:
    """A value with its magnitude, unit and bound as a reader writes it; "" without a value.

    >>> figure_text(6.5, "%", "about")
    '6.5%左右'
    >>> figure_text(208000, "亩", "at_least")
    '≥20.8万亩'
    >>> figure_text(5.5, "%", "at_most"), figure_text(6000000000, "元", "at_least")
    ('≤5.5%', '≥60亿元')
    >>> figure_text(6, "%", "about", value_high=6.5), figure_text(3, "rank")
    ('6%—6.5%左右', '第3位')
    >>> figure_text(-0.1, "%"), figure_text(None, "%"), figure_text(42000, None)
    ('-0.1%', '', '4.2万')
    """
    if value is None:
        return ""
    unit = unit or ""
    if unit == "rank":
        return f"第{human_number(value)}位"
    low = human_number(value)
    if value_high is not None:
        high = human_number(value_high)
        low = f"{low}{unit}—{high}" if unit in ("%", "‰") else f"{low}—{high}"
    return f"{_BEFORE.get(bound, '')}{low}{unit}{_AFTER.get(bound, '')}"


def share_text(part: int, whole: int) -> str:
    """A share in whole per cent with one decimal when needed; "—" when there is nothing to share.

    >>> share_text(7, 10), share_text(2, 3), share_text(0, 0)
    ('70%', '66.7%', '—')
    """
    if whole <= 0:
        return "—"
    return f"{round(100 * part / whole, 1):g}%"


def bar_text(part: int, whole: int, width: int = 10) -> str:
    """A bar of full and empty blocks for a share, drawn in text so every viewer shows it.

    >>> bar_text(7, 10), bar_text(0, 4, 4), bar_text(1, 0, 4)
    ('███████░░░', '░░░░', '')
    """
    if whole <= 0:
        return ""
    full = round(width * part / whole)
    return "█" * full + "░" * (width - full)


def date_text(year: int | None = None, month: int | None = None, day: int | None = None) -> str:
    """A date as an office signs it, with X for what is not known yet.

    >>> date_text(2026, 12, 6), date_text(2026)
    ('2026年12月6日', '2026年X月X日')
    """
    parts = [(year, "年"), (month, "月"), (day, "日")]
    return "".join(f"{v if v is not None else 'X'}{word}" for v, word in parts)


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """A heading number in words, 1-99: 1 → 一, 10 → 十, 12 → 十二, 23 → 二十三.

    >>> [chinese_number(n) for n in (1, 10, 12, 23)]
    ['一', '十', '十二', '二十三']
    """
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
