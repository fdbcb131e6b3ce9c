"""The JSON API under ``/api``: one router per domain (auth, plans, duties, board/units/events)."""
