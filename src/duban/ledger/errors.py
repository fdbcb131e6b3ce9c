"""The ledger's error types: every message is one Chinese sentence naming what is wrong."""

from __future__ import annotations


class LedgerError(ValueError):
    """A request the ledger cannot carry out (unknown unit, missing duty, bad file …)."""


class NotFound(LedgerError):
    """A row that does not exist."""
