"""Auto-dispatch (智能派单): the confidence above which the classifier's label is trusted without an
operator, chosen on held-out confidences so that the cases sent out keep a target precision.
Pure: no database, no wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_PRECISION = 0.95
# The margins over the target a threshold may be chosen for (see :func:`learn_margin`).
MARGINS = (0.0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03)


@dataclass(frozen=True)
class AutoDispatch:
    """A threshold and what it gave on held-out messages: the share sent out and its precision."""

    threshold: float
    target: float
    share: float
    precision: float
    held_out: int
    # The threshold was chosen for ``target`` + ``margin`` on held-out confidences (the final
    # model, trained on more, is more confident on new messages than those were).
    margin: float = 0.0

    def clears(self, confidence: float) -> bool:
        """Whether a prediction of this confidence goes out without an operator."""
        return confidence >= self.threshold


def choose_threshold(
    confidence: np.ndarray, correct: np.ndarray, *, target: float = DEFAULT_PRECISION
) -> AutoDispatch:
    """The lowest confidence threshold whose predictions at or above it are right at least
    ``target`` of the time on these held-out messages (the largest share that keeps it); when
    no threshold does, one above every confidence (nothing goes out).

    >>> a = choose_threshold(np.array([0.99, 0.9, 0.8, 0.7]), np.array([1, 1, 0, 1]), target=0.9)
    >>> (a.threshold, a.share, a.precision)
    (0.9, 0.5, 1.0)
    """
    if not 0 < target <= 1:
        raise ValueError("目标准确率必须在 0 与 1 之间")
    n = len(confidence)
    order = np.argsort(-confidence, kind="stable")
    conf, ok = confidence[order], correct[order].astype(float)
    precision = np.cumsum(ok) / np.arange(1, n + 1)
    # A cut can only fall where the confidence changes (ties go out together).
    last_of_tie = np.append(conf[1:] != conf[:-1], True) if n else np.array([], dtype=bool)
    good = np.flatnonzero((precision >= target - 1e-12) & last_of_tie)
    if not len(good):
        return AutoDispatch(threshold=1.01, target=target, share=0.0, precision=0.0, held_out=n)
    k = int(good[-1])
    return AutoDispatch(
        threshold=round(float(conf[k]), 6),
        target=target,
        share=round((k + 1) / n, 4),
        precision=round(float(precision[k]), 4),
        held_out=n,
    )


def dispatch_figures(confidence: np.ndarray, correct: np.ndarray, threshold: float) -> tuple[float, float]:
    """(share at or above ``threshold``, precision of those) on messages the model never saw."""
    sent = confidence >= threshold
    if not sent.any():
        return 0.0, 0.0
    return float(sent.mean()), float(correct[sent].mean())


def learn_margin(
    trials: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], *, target: float
) -> float:
    """The smallest of :data:`MARGINS` whose thresholds kept ``target`` on messages never seen.

    Each trial is a model trained on part of the data: its held-out confidences and rightness
    on that part (where its threshold is chosen, at ``target`` + margin), then its confidences
    and rightness on the rest. The margin kept is the smallest whose messages sent out of the
    rest, pooled over the trials, are right at least ``target`` of the time; the largest when
    none is.

    >>> inner = (np.array([0.9, 0.8, 0.7, 0.6]), np.array([1, 1, 1, 0]))
    >>> rest = (np.array([0.95, 0.75, 0.65]), np.array([1, 1, 0]))
    >>> learn_margin([(*inner, *rest)], target=0.6), learn_margin([(*inner, *rest)], target=0.75)
    (0.0, 0.005)
    """
    sent, right = np.zeros(len(MARGINS)), np.zeros(len(MARGINS))
    for inner_conf, inner_ok, conf, ok in trials:
        for j, margin in enumerate(MARGINS):
            threshold = choose_threshold(inner_conf, inner_ok, target=min(1.0, target + margin)).threshold
            out = conf >= threshold
            sent[j] += out.sum()
            right[j] += ok[out].sum()
    for j, margin in enumerate(MARGINS):
        if sent[j] and right[j] / sent[j] >= target - 1e-12:
            return margin
    return MARGINS[-1]
