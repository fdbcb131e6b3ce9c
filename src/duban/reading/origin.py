"""Where and when a work report is from: its plan year and its place.

Owns ``detect_year`` and ``detect_place``: from the title (a Markdown front matter's ``title:``
too), the meeting's date line (a report read out in December is next year's), the congress it
was read to, the speaker, or the file name (``places_by_name`` in ``lexicon/structure.yaml``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from duban.reading.deadlines import cn_number
from duban.reading.lexicon_file import load_yaml

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_YEAR = r"(?:19|20)\d\d|[〇零一二三四五六七八九]{4}"
_TITLE_YEAR_RE = re.compile(
    r"^[#\s\u3000]*[^\W\d_]{0,12}((?:19|20)\d\d)年[^\n。，,]{0,20}政府工作报告[^\n。]{0,12}$", re.M
)
_DATE_LINE_RE = re.compile(rf"——\s*({_CN_YEAR})年(?:(1[12]|十[一二])月)?")  # Nov/Dec: next year's report
_DAY = r"(?:\d{1,2}|[〇零一二三四五六七八九十]{1,3})"
_MEETING_DATE_RE = re.compile(  # "在…会议上（2019年1月14日）", "2020年5月9日在…": the day it was read
    rf"^[\s\u3000*#]*(?:在[^\n（(]{{0,40}}会议上)?(?:——|—)?\s*[（(]?\s*({_CN_YEAR})年\s*({_DAY})月\s*{_DAY}日\s*(?:在|[^\n，。,]{{0,10}}[）)]|$)",
    re.M,
)
_NAME_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_REVIEW_HEAD_YEAR_RE = re.compile(r"((?:19|20)\d\d)年[^\n。]{0,8}?(?:工作)?回顾")
_PROVINCE_LINE_RE = re.compile(r"^#\s*province:\s*(\S+)", re.M)
_TITLE_PLACE_RE = re.compile(
    r"(?:^|\d{4}年|#|title:)[ \t　]*([^\W\d_]{2,10}?(?:省|市|自治区|特别行政区|县|区|州|盟))"
    r"[ \t　]*(?:\d{4}年)?(?:人民政府|人民)?政府工作报告",
    re.M,
)
_CONGRESS_PLACE_RE = re.compile(  # ——2023年2月13日在南宁市第十五届人民代表大会第四次会议上
    r"在([^\W\d_]{2,10}?(?:省|市|自治区|县|区|州|盟))第[一二三四五六七八九十\d]{1,4}届人民代表大会"
)
_FOLDER_PLACE_RE = re.compile(r"[^\W\d_]{1,12}(?:省|市|自治区|特别行政区|县|区|州|盟|旗)")
_SPEAKER_LEVEL_RE = re.compile(r"我代表(省|自治区|市|县|区|旗|国务院)(?:人民政府)?")
_SPEAKER_RE = re.compile(
    r"(?<!\d)([^\W\d_]{2,8}?(?:省|市|自治区))(?:人民政府)?(?:省长|市长|主席|代市长|代省长)"
)


@lru_cache(maxsize=1)
def _places_by_name() -> dict[str, str]:
    return {str(k): str(v) for k, v in load_yaml("structure.yaml")["places_by_name"].items()}


def detect_year(text: str, name: str | None) -> int | None:
    """The plan year: from the day it was read, the title (unless its review heading names the
    same year), a meeting date line, the file name, or a review heading.

    >>> detect_year("大同市2023年政府工作报告\\n——2023年1月5日在…", None)
    2023
    >>> detect_year("——二〇二六年一月二十七日在甘肃省十四届人民代表大会", None)
    2026
    >>> detect_year("——2022年12月27日在怀化市第六届人民代表大会第二次会议上", None)
    2023
    >>> detect_year("各位代表：", "datong-2023")
    2023
    >>> detect_year("一、2024年工作回顾", None)
    2025
    >>> detect_year("2013年四川省人民政府工作报告\\n在四川省第十二届人民代表大会第二次会议上（2014年1月15日）", None)
    2014
    >>> detect_year("2013年四川省人民政府工作报告\\n\\n一、2013年工作回顾", None)
    2014
    """
    head = text[:4000].translate(_FULLWIDTH)
    m = _MEETING_DATE_RE.search(head)
    if m:  # the day it was read outranks a title, which an archive may have written by the year reviewed
        return cn_number(m[1]) + (1 if cn_number(m[2]) >= 11 else 0)
    review = _REVIEW_HEAD_YEAR_RE.search(head)
    reviewed = int(review[1]) if review and "以来" not in review[0] else None
    m = _TITLE_YEAR_RE.search(head)
    if m:  # "2013年…报告" over "一、2013年工作回顾": an archive titled it by the year reviewed
        return int(m[1]) + (1 if reviewed == int(m[1]) else 0)
    m = _DATE_LINE_RE.search(head)
    if m:
        return cn_number(m[1]) + (1 if m[2] else 0)
    if name:
        m = _NAME_YEAR_RE.search(name)
        if m:
            return int(m[1]) + (1 if reviewed == int(m[1]) else 0)
    m = _REVIEW_HEAD_YEAR_RE.search(text.translate(_FULLWIDTH))
    if m:
        return int(m[1]) + 1
    return None


def detect_place(text: str, name: str | None) -> str:
    """The place the report is for ("大同市", "北京市", "国务院"); "" when nothing says.

    >>> detect_place("2025年北京市政府工作报告\\n各位代表：", None)
    '北京市'
    >>> detect_place("示例市2023年政府工作报告", None)
    '示例市'
    >>> detect_place("# 1980年中华人民共和国国务院政府工作报告", None)
    '国务院'
    >>> detect_place("---\\ntitle: 宿州市政府工作报告（2014年1月16日 史翔）\\n---", None)
    '宿州市'
    >>> detect_place("title: 2024年厦门市人民政府工作报告", None)
    '厦门市'
    >>> detect_place("——2023年2月13日在南宁市第十五届人民代表大会第四次会议上", None)
    '南宁市'
    >>> detect_place("各位代表：", "datong-2023.txt")
    '大同市'
    >>> detect_place("各位代表：", "archive/province/河南省/2024.md")
    '河南省'
    """
    head = text[:4000]
    m = _PROVINCE_LINE_RE.search(head)
    if m:
        return m[1]
    first_title = head.find("政府工作报告")
    if first_title != -1 and "国务院" in head[max(0, first_title - 40) : first_title]:
        return "国务院"
    m = _TITLE_PLACE_RE.search(head)
    if m:
        return m[1]
    if "国务院总理" in head:
        return "国务院"
    m = _CONGRESS_PLACE_RE.search(head)
    if m:
        return m[1]
    m = _SPEAKER_RE.search(head)
    if m:
        return m[1]
    if name:
        stem = re.split(r"[-_.\d]", name.rsplit("/", 1)[-1], maxsplit=1)[0].lower()
        if place := _places_by_name().get(stem, ""):
            return place
        folder = name.replace("\\", "/").rsplit("/", 2)
        if len(folder) == 3 and _FOLDER_PLACE_RE.fullmatch(folder[1]):
            return folder[1]  # an archive kept by place: …/河南省/2024.md
    return ""


def speaker_level(text: str) -> str:
    """The level the speaker speaks for when no place is named: "省" for "我代表省人民政府",
    "自治区", "市", "县", "区", "国务院"; "" when the text does not say.

    >>> speaker_level("各位代表：\\n现在，我代表省人民政府，向大会报告工作")
    '省'
    """
    m = _SPEAKER_LEVEL_RE.search(text[:4000])
    return m[1] if m else ""
