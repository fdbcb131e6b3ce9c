"""``duban cases``: the case hub's one command group.

``classifier`` trains and applies the category model on message CSVs (``train``, ``classify``);
``learning`` builds the city's word vectors and retrains the model with confirmed cases
(``vectors``, ``retrain``);
``handling`` works on the stored cases (``intake``, ``import-311``, ``tick``, ``rates``,
``report``).
"""

from __future__ import annotations

import click

from duban.cli.cases import classifier, handling, learning


def register(main: click.Group) -> None:
    """Add the ``cases`` group and its commands to the root group."""

    @main.group("cases")
    def cases_group() -> None:
        """12345 工单：受理、导入 311、时钟、三率与通报；分类模型、去重、热点与答复检查。"""

    classifier.add_commands(cases_group)
    handling.add_commands(cases_group)
    learning.add_commands(cases_group)
