"""docs/clock.md cannot drift: its examples run as doctests and its holiday files load."""

from __future__ import annotations

import doctest
import re
from datetime import date
from pathlib import Path

import pytest

from duban.clock import WorkCalendar

DOC = Path(__file__).resolve().parents[2] / "docs" / "clock.md"


def test_doc_examples_run() -> None:
    result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted >= 20
    assert result.failed == 0


@pytest.mark.parametrize("lang", ["yaml", "csv"])
def test_doc_holiday_file_examples_load(tmp_path: Path, lang: str) -> None:
    blocks = re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1
    path = tmp_path / f"holidays.{lang}"
    path.write_text(blocks[0], encoding="utf-8")
    cal = WorkCalendar.load(path)
    assert 2027 in cal.years
    assert cal.is_workday(date(2027, 2, 8)) is False  # inside 02-05~02-11
    assert cal.is_workday(date(2027, 2, 13)) is True  # worked Saturday
    assert cal.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
