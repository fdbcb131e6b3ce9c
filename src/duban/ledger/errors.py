"""The ledger's error types: every message is one Chinese sentence naming what is wrong."""

from __future__ import annotations


class LedgerError(ValueError):
    """A request the ledger cannot carry out (unknown unit, missing duty, bad file …); ``field``
    names the input at fault where one is (the web answers with it)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(LedgerError):
    """A row that does not exist."""
