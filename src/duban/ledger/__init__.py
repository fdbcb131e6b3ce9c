"""The ledger (台账): plans, items, units, assignments, duties, progress and the events log.

``models`` (SQLAlchemy tables) and ``schemas`` (Pydantic) describe the rows; ``service`` is the
only writer (every change logged in ``events``); ``workflow`` holds the duty statuses and the one
transition table; ``routing`` and ``units`` read the rules in ``rules/*.yaml``; ``tick`` runs the
clock over every open duty and builds the board; ``xlsx`` exports and imports the 台账; ``demo``
simulates a year. See ``docs/ledger.md``.
"""
