"""Pages: 分类模型 — the city's category model (labels, training size, the auto-dispatch
threshold and what it gave on held-out messages, the last retrains) and the office's
重新训练 button, which retrains from the model's labelled file plus every confirmed case
(:mod:`duban.cases.classify_retrain`) in the background after the answer; the result is a
``retrain`` event shown on this page, and a replaced model is used from the next intake on.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from duban.audit.models import EventRow
from duban.cases.textutil import CaseInputError
from duban.db import session_scope
from duban.web import notes
from duban.web.deps import DB, Who, require, state_of
from duban.web.errors import ApiError
from duban.web.render import page
from duban.web.state import ConsoleState

router = APIRouter(include_in_schema=False)
Office = Annotated[Who, Depends(require("office"))]
_RUNNING = threading.Lock()  # one retrain at a time per server process


def _model_path(request: Request) -> Path:
    path = state_of(request).settings.case_model
    if path is None or not Path(path).is_file():
        raise ApiError(409, "未配置分类模型文件（DUBAN_CASE_MODEL），无法重新训练", "model")
    return Path(path)


def _summary(path: Path) -> dict[str, Any]:
    from duban.cases.classify import CaseModel

    try:
        model = CaseModel.load(path)
    except CaseInputError as exc:
        return {"error": str(exc)}
    return {
        "labels": model.labels,
        "training_size": model.training_size,
        "trained_at": model.trained_at,
        "features": model.meta.get("features", ""),
        "confirmed": model.meta.get("confirmed_cases", 0),
        "auto": model.auto,
    }


@router.get("/cases/model")
def model_page(request: Request, session: DB, who: Office) -> Response:
    """The model's figures and the last retrains."""
    path = state_of(request).settings.case_model
    info = _summary(Path(path)) if path is not None and Path(path).is_file() else None
    runs = session.scalars(
        select(EventRow).where(EventRow.entity == "case_model").order_by(EventRow.id.desc()).limit(10)
    ).all()
    return page(request, "case_model.html", path=path, info=info, runs=runs, running=_RUNNING.locked())


def _run(st: ConsoleState, path: Path, actor: str, force: bool, now: Any) -> None:
    from duban.cases.classify_retrain import retrain

    try:
        with session_scope(st.engine) as s:
            rep = retrain(session=s, model_path=path, actor=actor, now=now, force=force)
        if rep.replaced:
            st.forget_classifier()
    except CaseInputError as exc:
        with session_scope(st.engine) as s:
            from duban.audit import service as audit

            audit.record(
                s, actor=actor, now=now, entity="case_model", entity_id=0, action="retrain_failed",
                before={"path": str(path)}, after={"error": str(exc)},
            )  # fmt: skip
    finally:
        _RUNNING.release()


@router.post("/cases/model/retrain")
def retrain_page(
    request: Request,
    tasks: BackgroundTasks,
    who: Office,
    force: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """重新训练: starts the retrain after the answer (the page shows its result when done)."""
    if force not in ("", "true"):
        raise ApiError(422, "字段 force: 应为 true 或留空", "force")
    path = _model_path(request)
    if not _RUNNING.acquire(blocking=False):
        raise ApiError(409, "分类模型正在重新训练，请稍后再试", "model")
    assert who.account is not None
    tasks.add_task(_run, state_of(request), path, who.account.name, force == "true", who.now)
    return notes.redirect(
        request,
        "/cases/model",
        "已开始重新训练（原训练文件加已确认工单，约需一至数分钟）；完成后本页显示新旧模型在留出样本上的得分。",
    )
