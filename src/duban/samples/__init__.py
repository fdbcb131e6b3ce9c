"""duban's own sample work reports, shipped with the package for demos, docs and tests.

The two reports in this folder were written for the project: the places (示例市, 样例县), the
people, the projects and every figure are invented, in the style of real 政府工作报告 but
without copying any of their sentences. Their hand-checked quantities and deadlines live in
``tests/fixtures/gold/``; ``tests/fixtures/README.md`` describes every derived fixture.

>>> names()
('示例市2023年政府工作报告', '样例县2025年政府工作报告')
>>> read(name=CITY_2023).splitlines()[1]
'——2023年1月10日在示例市第十六届人民代表大会第三次会议上'
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

CITY_2023 = "示例市2023年政府工作报告"
COUNTY_2025 = "样例县2025年政府工作报告"
_NAMES = (CITY_2023, COUNTY_2025)


def names() -> tuple[str, ...]:
    """The names (file stems) of the bundled sample reports."""
    return _NAMES


def path(*, name: str) -> Traversable:
    """The bundled UTF-8 text file of the sample report called ``name``."""
    if name not in _NAMES:
        raise ValueError(f"没有名为“{name}”的示例报告，可选：{'、'.join(_NAMES)}")
    return resources.files(__name__).joinpath(f"{name}.txt")


def read(*, name: str) -> str:
    """The text of the sample report called ``name``."""
    return path(name=name).read_text(encoding="utf-8")
