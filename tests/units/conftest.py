"""Units fixtures: the ledger's per-test databases (SQLite, and PostgreSQL when configured)."""

from tests.ledger.conftest import db, db_with_units, sqlite_template

__all__ = ["db", "db_with_units", "sqlite_template"]
