"""CLI commands for the cases domain (filled in by the cases work)."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add this domain's commands to the root group."""
