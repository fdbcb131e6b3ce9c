"""Word helpers for documents in the shape of GB/T 9704 (党政机关公文格式): A4, 37/35/28/26 mm margins,
仿宋_GB2312 三号 body on a 28 pt line, 黑体 and 楷体 headings, 方正小标宋 title, "— 1 —" page numbers.

Every run carries its East Asian font (``w:eastAsia``); the font table names a Noto CJK font as
each office font's alternative, so a machine without the office fonts (LibreOffice on Linux)
still draws a serif body and a bold sans heading.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from duban.review.documents.text import VERDICT_COLOURS

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# The alternative each office font falls back to where it is not installed (w:altName).
FALLBACKS = {
    BODY_FONT: "Noto Serif CJK SC",
    TABLE_FONT: "Noto Serif CJK SC",
    H2_FONT: "Noto Serif CJK SC",
    H1_FONT: "Noto Sans CJK SC",
    TITLE_FONT: "Noto Sans CJK SC",
}
RED = RGBColor(0xC0, 0x00, 0x00)
SIZE_TITLE, SIZE_BODY, SIZE_TABLE = Pt(22), Pt(16), Pt(10.5)
HEADER_SHADE = "D9D9D9"
BAR_FILL, BAR_TRACK = "70AD47", "E7E6E6"


def set_font(
    run: Any, east_asia: str, size: Pt | None = None, *, bold: bool = False, colour: RGBColor | None = None
) -> None:
    """Give a run its East Asian font (w:eastAsia), a Latin font for figures, size, weight, colour."""
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    if size is not None:
        run.font.size = size
    if bold:
        run.font.bold = True
    if colour is not None:
        run.font.color.rgb = colour


def new_document(*, landscape: bool = False) -> Any:
    """An empty A4 document with the office's page, body style, font fallbacks and page numbers."""
    doc = Document()
    section = doc.sections[0]
    _page(section, landscape=landscape)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = SIZE_BODY
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before = fmt.space_after = Pt(0)
    for name, font in (("Heading 1", H1_FONT), ("Heading 2", H2_FONT)):
        style = doc.styles[name]
        style.font.name = LATIN_FONT
        style.font.size = SIZE_BODY
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        pf = style.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(28)
        pf.space_before = pf.space_after = Pt(0)
        pf.first_line_indent = Pt(32)
        pf.keep_with_next = True
    _defaults(doc)
    _font_fallbacks(doc)
    return doc


def _defaults(doc: Any) -> None:
    """Document defaults: explicit office fonts instead of the template's theme fonts, Chinese as
    the East Asian language (so a renderer picks simplified Chinese glyphs), no space after paragraphs."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for key, val in (
        ("w:ascii", LATIN_FONT),
        ("w:hAnsi", LATIN_FONT),
        ("w:eastAsia", BODY_FONT),
        ("w:cs", LATIN_FONT),
    ):
        fonts.set(qn(key), val)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _page(section: Any, *, landscape: bool) -> None:
    """A4 with the standard margins (turned for landscape) and a centred "— N —" footer."""
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(26), Mm(24)
        section.left_margin, section.right_margin = Mm(30), Mm(30)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    footer = section.footer
    footer.is_linked_to_previous = False
    para = footer.paragraphs[0]
    para.text = ""
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(para.add_run("— "), TABLE_FONT, Pt(14))
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = para.add_run("1")
    set_font(run, TABLE_FONT, Pt(14))
    field.append(run._element)
    para._p.append(field)
    set_font(para.add_run(" —"), TABLE_FONT, Pt(14))


def new_section(doc: Any, *, landscape: bool) -> None:
    """Start a new page in the other orientation (a landscape 附件 table, then back)."""
    _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=landscape)


def _font_fallbacks(doc: Any) -> None:
    """Declare each office font in word/fontTable.xml with a Noto CJK w:altName and its family."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = next((r.target_part for r in doc.part.rels.values() if r.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    for name, alt in FALLBACKS.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, val in (("w:altName", alt), ("w:charset", "86"), ("w:family", _family(alt))):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), val)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _family(alt: str) -> str:
    return "swiss" if "Sans" in alt else "roman"


def paragraph(
    container: Any,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size: Pt = SIZE_BODY,
    bold: bool = False,
    align: str = "justify",
    indent: bool = True,
    colour: RGBColor | None = None,
    style: str | None = None,
) -> Paragraph:
    """A paragraph of one run; body text is justified with a two-character first-line indent."""
    para = container.add_paragraph(style=style)
    para.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
    }[align]
    para.paragraph_format.first_line_indent = Pt(size.pt * 2) if indent else Pt(0)
    if text:
        set_font(para.add_run(text), font, size, bold=bold, colour=colour)
    return para


def heading(doc: Any, text: str, *, level: int) -> Paragraph:
    """一、 (黑体) or （一） (楷体) headings as Word outline levels, so the navigation pane lists them."""
    para = doc.add_paragraph(style=f"Heading {level}")
    set_font(para.add_run(text), H1_FONT if level == 1 else H2_FONT, SIZE_BODY)
    return para


def rule(doc: Any, *, colour: str = "C00000", size: int = 12) -> None:
    """A full-width line under the 发文机关标志 (the red line of a 红头 document)."""
    para = doc.add_paragraph()
    para.paragraph_format.line_spacing = Pt(6)
    ppr = para._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, val in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", colour)):
        bottom.set(qn(key), val)
    border.append(bottom)
    # pPr's children have a fixed order (Word refuses a file that breaks it): pBdr before spacing.
    ppr.insert_element_before(border, *_AFTER_PBDR)


_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
    "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def shade(cell: Any, fill: str) -> None:
    """Fill a table cell's background (w:shd)."""
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    for key, val in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shd.set(qn(key), val)
    tcpr.insert_element_before(
        shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"
    )


def table(
    container: Any,
    *,
    columns: Sequence[tuple[str, float]],
    rows: Sequence[Sequence[str]],
    verdict_keys: Sequence[str | None] = (),
    verdict_column: str | None = None,
    size: Pt = SIZE_TABLE,
    centred: Sequence[str] = (),
    bars: Sequence[float | None] = (),
    bar_column: str | None = None,
) -> Any:
    """A bordered table: 黑体 header repeated on every page, 宋体 cells, the verdict cell coloured.

    ``columns`` are (header, width in cm); ``centred`` names the columns whose cells are centred;
    ``bars`` gives each row a share (0-1) drawn as a bar in ``bar_column`` (whose text is ignored).
    """
    names = [name for name, _ in columns]
    tbl = container.add_table(rows=1, cols=len(columns))
    tbl.style = "Table Grid"
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl.autofit = False  # w:tblLayout fixed: the widths below hold in Word and LibreOffice
    for col, (_, width) in zip(tbl.columns, columns, strict=True):
        col.width = Cm(width)
    header = tbl.rows[0]
    trpr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    for cell, (name, width) in zip(header.cells, columns, strict=True):
        cell.width = Cm(width)
        shade(cell, HEADER_SHADE)
        _cell_text(cell, name, H1_FONT, size, align="center")
    vi = names.index(verdict_column) if verdict_column else None
    bi = names.index(bar_column) if bar_column else None
    for r, values in enumerate(rows):
        added = tbl.add_row()
        no_split = OxmlElement("w:cantSplit")
        no_split.set(qn("w:val"), "true")
        added._tr.get_or_add_trPr().append(no_split)
        cells = added.cells
        key = verdict_keys[r] if r < len(verdict_keys) else None
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.width = Cm(columns[i][1])
            colour = None
            if i == vi and key in VERDICT_COLOURS:
                fill, ink = VERDICT_COLOURS[key]
                shade(cell, fill)
                colour = RGBColor.from_string(ink)
            if i == bi:
                _bar(cell, bars[r] if r < len(bars) else None, columns[i][1] - 0.3)
                continue
            align = "center" if names[i] in centred else "left"
            _cell_text(cell, value, TABLE_FONT, size, align=align, bold=colour is not None, colour=colour)
    return tbl


def _cell_text(
    cell: Any,
    text: str,
    font: str,
    size: Pt,
    *,
    align: str,
    bold: bool = False,
    colour: RGBColor | None = None,
) -> None:
    """Put text in a cell, one paragraph per line, single-spaced, vertically centred."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    lines = str(text).split("\n") or [""]
    for n, line in enumerate(lines):
        para = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        fmt = para.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.first_line_indent = Pt(0)
        fmt.space_before = fmt.space_after = Pt(1)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER if align == "center" else WD_ALIGN_PARAGRAPH.LEFT
        set_font(para.add_run(line), font, size, bold=bold, colour=colour)


def _bar(cell: Any, share: float | None, width: float) -> None:
    """A horizontal bar for a share drawn as a one-row nested table: a green part on a grey track."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if share is None:
        _cell_text(cell, "", TABLE_FONT, SIZE_TABLE, align="center")
        return
    parts = [
        (w, fill) for w, fill in ((share * width, BAR_FILL), ((1 - share) * width, BAR_TRACK)) if w > 0.01
    ]
    inner = cell.add_table(rows=1, cols=len(parts))
    inner.alignment = WD_TABLE_ALIGNMENT.CENTER
    inner.autofit = False
    row = inner.rows[0]
    row.height = Cm(0.32)
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
    for col, part, (w, fill) in zip(inner.columns, row.cells, parts, strict=True):
        col.width = part.width = Cm(w)
        shade(part, fill)
        fmt = part.paragraphs[0].paragraph_format
        fmt.line_spacing = Pt(6)
        fmt.first_line_indent = Pt(0)
        fmt.space_before = fmt.space_after = Pt(0)
    # python-docx leaves the cell's own empty first paragraph before the bar: drop it.
    first = cell.paragraphs[0]._p
    if first.getnext() is not None and first.getnext().tag == qn("w:tbl"):
        cell._tc.remove(first)
    last = cell.paragraphs[-1].paragraph_format
    last.line_spacing = Pt(2)
    last.first_line_indent = Pt(0)
    last.space_before = last.space_after = Pt(0)
