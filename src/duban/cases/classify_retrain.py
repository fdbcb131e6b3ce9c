"""Retraining (重新训练) the category model from the original labelled file plus every case an
operator confirmed or corrected (``review = confirmed``: the ``confirm_category`` action, or a
category given at intake or dispatch).

Both the previous training set (the labelled file and the confirmed cases the previous model
already had) and the new one (the labelled file and every confirmed case) are trained on the
same 4/5 of the messages and scored (macro-F1) on the same held-out fifth (chosen by a hash of
the text, so the same message stays held out across retrains). The new model, trained on all
of them, replaces the file only if its score is not lower (or when forced); the previous file
is kept beside it as ``MODEL.prev``. One ``retrain`` event records the scores.
"""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sklearn.metrics import f1_score
from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.cases.classify import AUTO_MARGIN, CaseModel
from duban.cases.classify_sources import Inputs, Sources, read_inputs, train_from
from duban.cases.models import CaseRow
from duban.cases.textutil import CaseInputError, clean_text
from duban.cases.training_data import LabelledText, read_labelled_csv

HELD_OUT_PARTS = 5  # one message in five is held out


@dataclass(frozen=True)
class RetrainReport:
    """What a retrain measured and did."""

    previous_score: float
    new_score: float
    held_out: int
    labelled: int
    confirmed: int
    replaced: bool
    backup: str | None
    auto_threshold: float | None
    auto_share: float | None


def confirmed_cases(*, session: Session) -> list[LabelledText]:
    """Every stored case whose category a person confirmed or set, oldest first."""
    stmt = (
        select(CaseRow.title, CaseRow.content, CaseRow.category)
        .where(CaseRow.review == "confirmed", CaseRow.category.is_not(None))
        .order_by(CaseRow.id)
    )
    out = []
    for title, content, category in session.execute(stmt):
        label = clean_text(category)
        if label and (title or content):
            out.append(LabelledText(subject=clean_text(title), detail=clean_text(content), label=label))
    return out


def held_out(row: LabelledText) -> bool:
    """Whether a message is in the held-out fifth (stable: by a hash of its text)."""
    return zlib.crc32(f"{row.subject}\x1f{row.detail}".encode()) % HELD_OUT_PARTS == 0


def _score(
    sources: Sources, inputs: Inputs, train_rows: Sequence[LabelledText], test: Sequence[LabelledText]
) -> float:
    # Scored for its labels only: the auto-dispatch margin is not learnt (five trainings less).
    model = train_from(
        sources, trained_at=None, labelled=train_rows, inputs=inputs, auto_margin=AUTO_MARGIN
    ).model
    pred = [p.label for p in model.predict([(r.subject, r.detail) for r in test])]
    return float(f1_score([r.label for r in test], pred, average="macro"))


def retrain(
    *,
    session: Session,
    model_path: str | Path,
    actor: str,
    now: datetime,
    labelled: str | Path | None = None,
    force: bool = False,
    echo: Callable[[str], None] = lambda _: None,
) -> RetrainReport:
    """Retrain the model file from its sources plus the confirmed cases (see the module)."""
    path = Path(model_path)
    previous = CaseModel.load(path)
    sources = Sources.of(previous)
    if labelled is not None:
        base = sources or Sources(labelled="")
        sources = Sources(**{**base.__dict__, "labelled": str(Path(labelled).resolve())})
    if sources is None:
        raise CaseInputError(f"{path}: 模型文件未记录训练文件，请用 --labelled 指定原训练文件")
    original = read_labelled_csv(sources.labelled)
    confirmed = confirmed_cases(session=session)
    had = int(previous.meta.get("confirmed_cases", 0))
    inputs = read_inputs(sources, echo=echo)
    old_rows, new_rows = original + confirmed[:had], original + confirmed
    test = [r for r in new_rows if held_out(r)]
    if len({r.label for r in test}) < 2:
        raise CaseInputError("留出样本太少（需要至少两个类别），无法评分")
    previous_score = _score(sources, inputs, [r for r in old_rows if not held_out(r)], test)
    new_score = _score(sources, inputs, [r for r in new_rows if not held_out(r)], test)
    echo(f"留出样本 {len(test)} 条：原训练集 macro-F1 {previous_score:.4f}，加入确认工单后 {new_score:.4f}")
    replaced, backup = False, None
    model = None
    if force or new_score >= previous_score:
        model = train_from(
            sources, trained_at=now, extra_rows=confirmed, labelled=original, inputs=inputs
        ).model
        backup = str(path.with_name(path.name + ".prev"))
        shutil.copy2(path, backup)
        model.save(path)
        replaced = True
    report = RetrainReport(
        previous_score=round(previous_score, 4),
        new_score=round(new_score, 4),
        held_out=len(test),
        labelled=len(original),
        confirmed=len(confirmed),
        replaced=replaced,
        backup=backup,
        auto_threshold=model.auto.threshold if model is not None and model.auto is not None else None,
        auto_share=model.auto.share if model is not None and model.auto is not None else None,
    )
    audit.record(
        session, actor=actor, now=now, entity="case_model", entity_id=0, action="retrain",
        before={"path": str(path), "confirmed_cases": had},
        after={**report.__dict__, "forced": force},
    )  # fmt: skip
    return report
