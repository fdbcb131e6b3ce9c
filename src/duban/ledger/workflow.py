"""The duty workflow as data: statuses, the ONE table of allowed transitions, the grade rule.

assigned ─研究部署→ deployed ─反馈→ in_progress ─申请办结→ closure_requested ─销号→ closed
                                      ▲                              │
                                      └────────反馈──── returned ◄─退回┘

:func:`duban.ledger.service.transition` is the one function that applies a transition (and
writes its event); closed is final here — only a handed-down duty (下交) whose parent's closure the
office above returns is reopened, by :func:`duban.ledger.duties.reopen` (docs/levels.md); the database holds a CHECK on ``duties.status`` with :data:`STATUSES`.
"""

from __future__ import annotations

from enum import StrEnum

from duban.ledger.errors import LedgerError


class DutyStatus(StrEnum):
    ASSIGNED = "assigned"
    DEPLOYED = "deployed"
    IN_PROGRESS = "in_progress"
    CLOSURE_REQUESTED = "closure_requested"
    CLOSED = "closed"
    RETURNED = "returned"


STATUSES: tuple[str, ...] = tuple(s.value for s in DutyStatus)

STATUS_LABELS: dict[DutyStatus, str] = {
    DutyStatus.ASSIGNED: "已交办",
    DutyStatus.DEPLOYED: "已部署",
    DutyStatus.IN_PROGRESS: "推进中",
    DutyStatus.CLOSURE_REQUESTED: "申请办结",
    DutyStatus.CLOSED: "已销号",
    DutyStatus.RETURNED: "已退回",
}

# (from, to) → the event action written when it is applied. Nothing else is allowed.
TRANSITIONS: dict[tuple[DutyStatus, DutyStatus], str] = {
    (DutyStatus.ASSIGNED, DutyStatus.DEPLOYED): "deploy",  # 研究部署
    (DutyStatus.DEPLOYED, DutyStatus.IN_PROGRESS): "feedback",  # 首次反馈
    (DutyStatus.IN_PROGRESS, DutyStatus.CLOSURE_REQUESTED): "request_closure",  # 申请办结
    (DutyStatus.CLOSURE_REQUESTED, DutyStatus.CLOSED): "close",  # 销号
    (DutyStatus.CLOSURE_REQUESTED, DutyStatus.RETURNED): "return",  # 退回 (须写明理由)
    (DutyStatus.RETURNED, DutyStatus.IN_PROGRESS): "feedback",  # 退回后整改反馈
}

OPEN_STATUSES: frozenset[DutyStatus] = frozenset(s for s in DutyStatus if s is not DutyStatus.CLOSED)


class WorkflowError(LedgerError):
    """A transition the table does not allow, or one missing what it needs (a reason)."""


def check_transition(current: DutyStatus | str, target: DutyStatus | str) -> str:
    """The event action for ``current → target``, or :class:`WorkflowError` in Chinese.

    >>> check_transition("assigned", "deployed")
    'deploy'
    >>> check_transition("assigned", "closed")
    Traceback (most recent call last):
    ...
    duban.ledger.workflow.WorkflowError: 不允许的状态变更: 已交办 → 已销号
    """
    a, b = DutyStatus(current), DutyStatus(target)
    action = TRANSITIONS.get((a, b))
    if action is None:
        raise WorkflowError(f"不允许的状态变更: {STATUS_LABELS[a]} → {STATUS_LABELS[b]}")
    return action


# ---- closure grades -------------------------------------------------------------------------
# Rule: the grade is the WORSE of (a) timeliness, from the clock's overdue working days at the
# moment closure was requested, and (b) the reviewer's judgement (优秀 when none is given).
#   timeliness: 0 working days late → 优秀; 1–5 → 良好; 6–20 → 合格; more than 20 → 不合格.
GRADES: tuple[str, ...] = ("优秀", "良好", "合格", "不合格")
TIMELINESS_STEPS: tuple[tuple[int, str], ...] = ((0, "优秀"), (5, "良好"), (20, "合格"))


def timeliness_grade(overdue_workdays: int) -> str:
    """The grade timeliness alone earns.

    >>> [timeliness_grade(n) for n in (0, 1, 5, 6, 20, 21)]
    ['优秀', '良好', '良好', '合格', '合格', '不合格']
    """
    for limit, grade in TIMELINESS_STEPS:
        if overdue_workdays <= limit:
            return grade
    return GRADES[-1]


def closure_grade(*, overdue_workdays: int, judgement: str | None) -> str:
    """The worse of the timeliness grade and the reviewer's judgement.

    >>> closure_grade(overdue_workdays=0, judgement="合格")
    '合格'
    >>> closure_grade(overdue_workdays=8, judgement="优秀")
    '合格'
    >>> closure_grade(overdue_workdays=3, judgement=None)
    '良好'
    """
    if judgement is not None and judgement not in GRADES:
        raise WorkflowError(f"评定等次 {judgement!r} 无效，应为 {'/'.join(GRADES)} 之一")
    t = timeliness_grade(max(0, overdue_workdays))
    j = judgement or GRADES[0]
    return GRADES[max(GRADES.index(t), GRADES.index(j))]
