"""The console (督办系统): a FastAPI app for the supervision office, the units and the leaders.

``create_app(settings)`` builds it (nothing connects at import time); ``api/`` holds the JSON
routers (``/api/...``), ``pages/`` the Chinese HTML pages (Jinja2 + htmx + ECharts, vendored
under ``static/vendor``). Reads and writes of the ledger go through ``duban.ledger.service``;
the few read-only queries the ledger does not offer (filtered board, event lists) live in
:mod:`duban.web.queries`.
"""

from __future__ import annotations

from duban.web.app import create_app

__all__ = ["create_app"]
