"""Units: loading a unit file (YAML or CSV, an upsert by name), aliases and the hierarchy,
resolving a name, and the errors a bad file gets."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from duban.audit.models import EventRow
from duban.db import session_scope
from duban.units.models import UnitRow
from duban.units.service import UnitError, load_units, resolve_unit, unit_names, unit_refs
from tests.ledger.conftest import NOW


def test_units_and_aliases(db_with_units):
    with session_scope(db_with_units) as s:
        assert s.scalar(select(func.count()).select_from(UnitRow)) >= 45
        ndrc = resolve_unit(session=s, name="市发改委")
        assert ndrc is not None and ndrc.name == "市发展和改革委员会"
        assert resolve_unit(session=s, name=" 发改委 ") is ndrc
        assert resolve_unit(session=s, name="市发展和改革委员会") is ndrc
        assert resolve_unit(session=s, name="不存在的局") is None
        office = resolve_unit(session=s, name="督查室")
        assert office is not None and office.parent is not None and office.parent.name == "市人民政府办公室"
        kinds = set(s.scalars(select(UnitRow.kind)))
        assert kinds == {"部门", "县区", "开发区"}


def test_loading_units_twice_changes_nothing(db_with_units):
    from duban.units.service import DEFAULT_UNITS

    with session_scope(db_with_units) as s:
        before = s.scalar(select(func.count()).select_from(EventRow))
        result = load_units(session=s, path=DEFAULT_UNITS, actor="test", now=NOW)
        assert (result.created, result.updated, result.aliases_added) == (0, 0, 0)
        assert s.scalar(select(func.count()).select_from(EventRow)) == before


def test_units_from_csv_with_a_bad_row(db, tmp_path):
    good = tmp_path / "u.csv"
    good.write_text(
        "name,short_name,kind,parent,aliases\n市能源局,,部门,,能源局|市能源办\n城区,,县区,,\n", "utf-8"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("name,short_name,kind,parent,aliases\n市能源局,,委办,,\n", "utf-8")
    with session_scope(db) as s:
        load_units(session=s, path=good, actor="t", now=NOW)
        assert resolve_unit(session=s, name="市能源办") is not None
    with session_scope(db) as s, pytest.raises(UnitError, match=r"bad\.csv: 第 2 行 字段「kind」"):
        load_units(session=s, path=bad, actor="t", now=NOW)


def test_alias_taken_by_another_unit_is_refused(db, tmp_path):
    f = tmp_path / "u.yaml"
    f.write_text(
        "units:\n  - {name: 甲局, kind: 部门, aliases: [甲]}\n  - {name: 乙局, kind: 部门, aliases: [甲]}\n",
        "utf-8",
    )
    with session_scope(db) as s, pytest.raises(UnitError, match="别名「甲」"):
        load_units(session=s, path=f, actor="t", now=NOW)


def test_lookups_by_id(db_with_units):
    with session_scope(db_with_units) as s:
        ndrc = resolve_unit(session=s, name="市发改委")
        assert ndrc is not None
        assert unit_names(session=s, ids={ndrc.id, None, 10**6}) == {ndrc.id: "市发展和改革委员会"}
        assert unit_refs(session=s, ids=[ndrc.id])[ndrc.id].kind == "部门"
        assert unit_names(session=s, ids=[]) == {}
