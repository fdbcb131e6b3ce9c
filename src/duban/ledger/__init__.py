"""The ledger (台账): plans, items, assignments, duties, milestones and progress.

``models`` (SQLAlchemy tables) and ``schemas`` (Pydantic) describe the rows; ``service`` is the
only writer (every change logged through :mod:`duban.audit`); ``workflow`` holds the duty
statuses and the one transition table; ``routing`` reads the rules in ``rules/routing.yaml``;
``tick`` runs the clock over every open duty and ``board`` builds the board; ``xlsx`` exports and
imports the 台账; ``demo`` simulates a year. Units come from :mod:`duban.units`. See
``docs/ledger.md``.
"""
