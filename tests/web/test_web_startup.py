"""What a server loads at start (``ConsoleState.warm``, then ``gc.freeze()`` in the app's lifespan):
after it, asking the console's pages imports no library, so the garbage collector's full
collections walk only what the requests keep, not the libraries' modules.

Measured in a process of its own: the test process has imported every library already.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import gc, json, sys
from datetime import date
from fastapi.testclient import TestClient
from duban.config import Settings
from duban.web import create_app

db, token, uploads, *paths = sys.argv[1:]
settings = Settings(database_url=f"sqlite:///{db}", secret_key="startup-test", upload_dir=uploads,
                    business_date=date(2023, 3, 1))
with TestClient(create_app(settings)) as client:
    started = set(sys.modules)
    statuses, grown = [], []
    for path in paths:
        gc.collect()
        tracked = len(gc.get_objects())  # not the frozen ones
        statuses.append(client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code)
        gc.collect()
        grown.append(len(gc.get_objects()) - tracked)
    print(json.dumps({
        "statuses": statuses,
        "libraries": sorted(m for m in set(sys.modules) - started if not m.startswith("duban.")),
        "hot_at_start": "duban.cases.hot" in started,
        "grown": grown,
    }))
"""


def test_the_first_asks_import_no_library(world):
    """Every console page asked once imports no library after the start-up freeze. The hot spots'
    clustering imported ~1,000 modules on its first ask (sklearn, scipy, numpy): 67,000 objects
    tracked from then on, most of what a server's full collections walked (99,000 after every
    route of bench/serve.py was asked; 32,500 with them loaded at start)."""
    paths = [
        "/board",
        f"/api/duties/{world.duty_a}",
        f"/duties/{world.duty_a}",
        "/plans",
        "/api/events",
        "/cases",
        f"/cases/{next(iter(world.cases.values()))}",
        "/cases/hot?days=30",
        "/cases/rates",
        "/review",
    ]
    args = [str(world.path), world.tokens["office"], str(world.path.parent / "uploads"), *paths]
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seen = json.loads(out.splitlines()[-1])
    assert seen["statuses"] == [200] * len(paths), dict(zip(paths, seen["statuses"], strict=True))
    assert seen["libraries"] == []
    assert seen["hot_at_start"]
    # the hot spots' first ask, after the other pages': its kept answer and statements (79,000
    # objects before)
    grown = dict(zip(paths, seen["grown"], strict=True))
    assert grown["/cases/hot?days=30"] < 5_000
