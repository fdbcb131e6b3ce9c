"""CLI commands for the read domain."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add this domain's commands to the root group."""
