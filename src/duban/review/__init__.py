"""Review: every promise of a plan against the result reported for it.

``duban.review.promises(earlier, later)`` pairs the targets of one year's report with the
results the next year's report gives; the verdict rules are data (``review/rules.yaml``).
The records it returns are defined in :mod:`duban.review.model`.
"""

from duban.review.promises import ReviewError, check_pair, promises

__all__ = ["ReviewError", "check_pair", "promises"]
