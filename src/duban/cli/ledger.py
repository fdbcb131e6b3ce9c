"""CLI commands for the ledger domain (filled in by the ledger work)."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add this domain's commands to the root group."""
