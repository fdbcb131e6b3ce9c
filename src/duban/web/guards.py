"""The console's row guards: who may see which duty or item (the role table itself is
:mod:`duban.access`). Office and leader see everything; a unit officer sees the duties whose lead
unit (牵头单位) is their own and those their unit works on as a co-unit (配合单位) — a co-unit may
read the duty and report its part of the progress, but only the lead unit requests closure. A
refused attempt answers 404 (nothing is revealed; 403 for a co-unit asking to do what only the
lead may) and is written to the audit log (action ``access_denied``) in its own committed
transaction.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import Request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.db import session_scope
from duban.ledger.board import BoardFilter
from duban.ledger.models import AssignmentCoUnitRow, AssignmentRow, DutyRow, ItemRow, PlanRow
from duban.web.deps import Who, state_of
from duban.web.errors import ApiError


def log_denied(request: Request, who: Who, *, entity: str, entity_id: int) -> None:
    """Append an ``access_denied`` event (committed even though the request then fails)."""
    account = who.account
    with session_scope(state_of(request).engine) as s:
        audit.record(
            s,
            actor=account.name if account else "匿名",
            now=who.now,
            entity=entity,
            entity_id=entity_id,
            action="access_denied",
            before=None,
            after={
                "method": request.method,
                "path": request.url.path,
                "role": account.role if account else None,
                "unit": account.unit_name if account else None,
            },
        )
    state_of(request).recheck()  # a GET that wrote: the next read sees the event


_DUTY_GUARD = (
    select(AssignmentRow.lead_unit_id, AssignmentRow.id, PlanRow.government_id)
    .select_from(DutyRow)
    .join(ItemRow, ItemRow.id == DutyRow.item_id)
    .join(PlanRow, PlanRow.id == ItemRow.plan_id)
    .outerjoin(AssignmentRow, AssignmentRow.item_id == DutyRow.item_id)
    .where(DutyRow.id == bindparam("duty_id"))
)
"""A duty's lead unit and assignment (None before a handed-down duty, 下交, is assigned) and its
plan's government; no row when the duty does not exist."""
_IS_CO_UNIT = select(AssignmentCoUnitRow.id).where(
    AssignmentCoUnitRow.assignment_id == bindparam("assignment_id"),
    AssignmentCoUnitRow.unit_id == bindparam("unit_id"),
)


def duty_unit(session: Session, duty_id: int) -> int | None:
    """The lead unit id of a duty (None when the duty does not exist or is not assigned)."""
    row = session.connection().execute(_DUTY_GUARD, {"duty_id": duty_id}).first()
    return row[0] if row else None


def item_unit(session: Session, item_id: int) -> tuple[bool, int | None]:
    """(item exists, its lead unit id or None when unassigned)."""
    row = session.execute(
        select(ItemRow.id, AssignmentRow.lead_unit_id)
        .outerjoin(AssignmentRow, AssignmentRow.item_id == ItemRow.id)
        .where(ItemRow.id == item_id)
    ).first()
    if row is None:
        return False, None
    return True, row[1]


_ITEM_GOVERNMENT = (
    select(PlanRow.government_id)
    .join(ItemRow, ItemRow.plan_id == PlanRow.id)
    .where(ItemRow.id == bindparam("id"))
)


def check_owner(request: Request, who: Who, owner: int | None, *, entity: str, entity_id: int) -> None:
    """404 (logged) when the duty or item belongs to a government (``owner``) outside ``who``'s
    subtree (辖区); 403 when an office writes to a duty of a government below its own
    (下级的事项由下级督查室办理)."""
    account = who.account
    if account is None or account.governments is None:
        return
    if owner not in account.governments:
        log_denied(request, who, entity=entity, entity_id=entity_id)
        raise ApiError(
            404, f"{'督办事项' if entity == 'duty' else '事项'} {entity_id} 不存在", f"{entity}_id"
        )
    own = owner == account.government_id or (owner is None and None in account.governments)
    if request.method != "GET" and who.role == "office" and not own:
        log_denied(request, who, entity=entity, entity_id=entity_id)
        raise ApiError(
            403, f"督办事项 {entity_id} 属于下级政府，由其督查室办理（本级可查看）", f"{entity}_id"
        )


def check_duty(
    request: Request, session: Session, who: Who, duty_id: int, *, lead_only: bool = False
) -> None:
    """404 unless the duty exists and ``who`` may see it (its unit, and its government's subtree);
    with ``lead_only``, 403 for a co-unit's officer (only the lead unit may do this). Refusals are
    logged. One query (two for a unit officer whose unit is not the lead), then
    :func:`check_duty_role`."""
    conn = session.connection()
    row = conn.execute(_DUTY_GUARD, {"duty_id": duty_id}).first()
    if row is None:
        raise ApiError(404, f"督办事项 {duty_id} 不存在", "duty_id")
    lead, assignment_id, government_id = row
    unit_id = who.account.unit_id if who.role == "unit" and who.account else None
    role: str | None = None
    if unit_id is not None and lead == unit_id:
        role = "lead"
    elif unit_id is not None and assignment_id is not None:
        params = {"assignment_id": assignment_id, "unit_id": unit_id}
        role = "co" if conn.execute(_IS_CO_UNIT, params).first() else None
    check_duty_role(request, who, duty_id, role, government_id=government_id, lead_only=lead_only)


def check_duty_role(
    request: Request,
    who: Who,
    duty_id: int,
    role: str | None,
    *,
    government_id: int | None,
    lead_only: bool = False,
) -> None:
    """The row guard of :func:`check_duty` for a duty already read (``role``: what the officer's
    unit is to it, "lead", "co" or None, e.g. from :meth:`duban.web.queries.DutyFacts.role_of`;
    ``government_id``: its plan's government)."""
    if who.role != "unit":
        check_owner(request, who, government_id, entity="duty", entity_id=duty_id)
        return
    if role is None:
        log_denied(request, who, entity="duty", entity_id=duty_id)
        raise ApiError(404, f"督办事项 {duty_id} 不存在", "duty_id")
    if lead_only and role != "lead":
        log_denied(request, who, entity="duty", entity_id=duty_id)
        raise ApiError(403, f"督办事项 {duty_id}: 只有牵头单位可以办理此项（本单位为配合单位）", "duty_id")


def check_item(request: Request, session: Session, who: Who, item_id: int) -> None:
    """404 unless the item exists and ``who`` may see it (refusals are logged)."""
    exists, unit_id = item_unit(session, item_id)
    if not exists:
        raise ApiError(404, f"事项 {item_id} 不存在", "item_id")
    if who.role == "unit" and (who.account is None or unit_id != who.account.unit_id):
        log_denied(request, who, entity="item", entity_id=item_id)
        raise ApiError(404, f"事项 {item_id} 不存在", "item_id")
    if who.account is not None and who.account.governments is not None:
        owner = session.connection().execute(_ITEM_GOVERNMENT, {"id": item_id}).scalar()
        check_owner(request, who, owner, entity="item", entity_id=item_id)


def check_plan(request: Request, session: Session, who: Who, plan_id: int) -> None:
    """404 unless the plan exists and belongs to ``who``'s subtree (辖区); refusals are logged."""
    found = session.execute(select(PlanRow.government_id).where(PlanRow.id == plan_id)).first()
    if found is None:
        raise ApiError(404, f"计划 {plan_id} 不存在", None)
    account = who.account
    if account is not None and account.governments is not None and found[0] not in account.governments:
        log_denied(request, who, entity="plan", entity_id=plan_id)
        raise ApiError(404, f"计划 {plan_id} 不存在", None)


def visible_plans(who: Who, plans: list[PlanRow]) -> list[PlanRow]:
    """The plans of ``who``'s subtree (辖区)."""
    seen = who.governments
    return plans if seen is None else [p for p in plans if p.government_id in seen]


def own_level(who: Who) -> frozenset[int | None] | None:
    """The governments whose duties ``who`` may change in bulk: its own (本级), None for all."""
    account = who.account
    if account is None or account.governments is None:
        return None
    return frozenset(
        {account.government_id, None} if None in account.governments else {account.government_id}
    )


def scoped(who: Who, f: BoardFilter) -> BoardFilter:
    """The board filter limited to the governments ``who`` sees (its 辖区)."""
    return f if who.governments is None else replace(f, governments=who.governments)


def unit_scope(who: Who) -> int | None:
    """The unit id a request is limited to (None: all units)."""
    if who.role == "unit" and who.account is not None:
        return who.account.unit_id
    return None


def log_if_foreign(request: Request, who: Who) -> None:
    """For a refused unit officer: log the attempt when the duty or item asked for is another unit's."""
    params = request.path_params
    with session_scope(state_of(request).engine) as s:
        for key, entity, lookup in (
            ("duty_id", "duty", duty_unit),
            ("item_id", "item", lambda s, i: item_unit(s, i)[1]),
        ):
            raw = params.get(key)
            if raw is None or not str(raw).isdigit():
                continue
            owner = lookup(s, int(raw))
            if owner is not None and who.account is not None and owner != who.account.unit_id:
                log_denied(request, who, entity=entity, entity_id=int(raw))
