"""Small source lists (xlsx) built in the tests: a proposal list, and the same with bad rows."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

PROPOSAL_HEADERS = ("提案号", "委员", "提案内容", "承办单位")
PROPOSALS: tuple[tuple[Any, ...], ...] = (
    ("T001", "王委员", "关于加快新建幼儿园缓解入园难的提案", None),  # routed: 幼儿园 → 市教育局
    ("T002", "李委员", "关于规范共享单车停放的提案", "市城管局"),  # the 承办单位 column names it
    ("T003", "赵委员", "关于规范宠物饲养管理的提案", None),  # no rule matches: a person assigns it
)


def xlsx(headers: tuple[str, ...], rows: tuple[tuple[Any, ...], ...]) -> bytes:
    """A one-sheet workbook of ``headers`` and ``rows``."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def proposal_list() -> bytes:
    return xlsx(PROPOSAL_HEADERS, PROPOSALS)


def bad_proposal_list() -> bytes:
    """Two good rows and two bad ones (no 委员 on row 3; an unknown 承办单位 on row 5)."""
    return xlsx(
        PROPOSAL_HEADERS,
        (
            PROPOSALS[0],
            ("T002", None, "关于加强老旧小区加装电梯的提案", None),
            PROPOSALS[2],
            ("T004", "钱委员", "关于公交线网优化的提案", "市不存在局"),
        ),
    )
