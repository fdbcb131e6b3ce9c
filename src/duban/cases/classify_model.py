"""The trained category model (:class:`CaseModel`): what a prediction needs, as plain arrays, and
its file (a pickle with a format tag and version). Trained by :func:`duban.cases.classify.train`.
Pure: no database, no wall clock.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from duban.cases.classify_auto import AutoDispatch
from duban.cases.classify_features import Features
from duban.cases.classify_stack import Neighbours, Stack, softmax
from duban.cases.classify_trust import Trust, signals
from duban.cases.textutil import CaseInputError

MODEL_FORMAT = "duban.cases.model"
MODEL_VERSION = 7


@dataclass(frozen=True)
class Prediction:
    """A predicted label and its confidence in [0, 1]: with a stack, the correctness model's
    probability that the label is right; else the largest softmax probability."""

    label: str
    confidence: float


@dataclass
class CaseModel:
    """A trained classifier and what it was trained on.

    ``weights`` / ``bias`` hold the SVMs side by side (all features, then, with a stack, the
    subject + detail n-grams alone), so one sparse · dense product gives every decision value;
    with a stack, ``neighbours`` holds the training messages for the neighbour votes and
    ``trust`` the correctness model that gives the confidence.
    """

    labels: list[str]
    training_size: int
    trained_at: datetime | None
    features: Features
    weights: np.ndarray
    bias: np.ndarray
    stack: Stack | None
    temperature: float
    neighbours: Neighbours | None = None
    auto: AutoDispatch | None = None
    trust: Trust | None = None
    version: int = MODEL_VERSION
    meta: dict[str, Any] = field(default_factory=dict)

    def decision(self, texts: Sequence[str | tuple[str, str]]) -> np.ndarray:
        """Decision values of the SVM on all features, one column per label."""
        n = len(self.labels)
        return np.asarray(self.features.transform(_pairs(texts)) @ self.weights[:, :n]) + self.bias[:n]

    def scores(self, texts: Sequence[str | tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's label index and confidence (unrounded)."""
        pairs = _pairs(texts)
        x = self.features.transform(pairs)
        # A plain sparse · dense product: scikit-learn's decision_function re-validates its
        # input on every call, which costs more than the product for one message.
        d = np.asarray(x @ self.weights) + self.bias
        if self.stack is None or self.neighbours is None or self.trust is None:  # one SVM: small data
            proba = softmax(d, self.temperature)
            return proba.argmax(axis=1), proba.max(axis=1)
        votes, nearest = self.neighbours.votes_and_nearest(x)
        d = np.hstack([d, votes])
        proba = self.stack.proba(d)
        return proba.argmax(axis=1), self.trust.confidence(signals(proba, d, nearest, pairs))

    def predict(self, texts: Sequence[str | tuple[str, str]]) -> list[Prediction]:
        """Predict a label for each text (a string, or a (subject, detail) pair)."""
        if not texts:
            return []
        best, confidence = self.scores(texts)
        return [
            Prediction(label=self.labels[k], confidence=round(float(c), 4))
            for k, c in zip(best, confidence, strict=True)
        ]

    def auto_dispatch(self, prediction: Prediction) -> bool:
        """Whether a prediction clears the model's auto-dispatch threshold (智能派单)."""
        return self.auto is not None and self.auto.clears(prediction.confidence)

    def save(self, path: str | Path) -> None:
        """Write the model file (a pickle with a format tag, version and metadata)."""
        payload = {
            "format": MODEL_FORMAT,
            "version": self.version,
            "labels": self.labels,
            "training_size": self.training_size,
            "trained_at": self.trained_at.isoformat() if self.trained_at else None,
            "meta": self.meta,
            "model": self,
        }
        # Written beside and renamed: a reader never sees half a model file.
        target = Path(path)
        partial = target.with_name(target.name + ".partial")
        with partial.open("wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(target)

    @classmethod
    def load(cls, path: str | Path) -> CaseModel:
        """Read a model file written by :meth:`save`; a wrong file gives a clear error.

        The file is a pickle: load only model files the city itself wrote.
        """
        name = str(path)
        try:
            with Path(path).open("rb") as fh:
                payload = pickle.load(fh)
        except OSError as exc:
            raise CaseInputError(f"{name}: 无法读取模型文件（{exc.strerror}）") from None
        except Exception:
            raise CaseInputError(f"{name}: 不是 duban 工单分类模型文件（无法解析）") from None
        if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
            raise CaseInputError(f"{name}: 不是 duban 工单分类模型文件（缺少格式标记 {MODEL_FORMAT}）")
        if payload.get("version") != MODEL_VERSION:
            raise CaseInputError(
                f"{name}: 模型文件版本为 {payload.get('version')}，本程序需要版本 {MODEL_VERSION}，请重新训练"
            )
        model = payload.get("model")
        if not isinstance(model, cls):
            raise CaseInputError(f"{name}: 模型文件内容损坏")
        return model


def _pairs(texts: Sequence[str | tuple[str, str]]) -> list[tuple[str, str]]:
    """Texts as (subject, detail) pairs: a bare string is a detail without a subject."""
    return [t if isinstance(t, tuple) else ("", t) for t in texts]
