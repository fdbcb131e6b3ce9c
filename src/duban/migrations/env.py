"""Alembic environment: runs on the connection :func:`duban.db.upgrade` hands over (or the URL).

Batch mode (``render_as_batch``) is on for SQLite, whose ALTER TABLE is limited.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from duban.db import load_models

target_metadata = load_models()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)


try:
    context.config  # noqa: B018  (exists only while Alembic runs this file)
except AttributeError:  # imported outside Alembic, e.g. by pytest's doctest collection
    pass
else:
    _main()
