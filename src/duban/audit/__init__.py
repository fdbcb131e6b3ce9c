"""The audit log (events): one append-only row per change any domain makes, with the row's
columns before and after, and refused attempts (``access_denied``).

A shared room below the domains: ``models`` holds the ``events`` table, ``service`` the only
writers (:func:`~duban.audit.service.record`, :func:`~duban.audit.service.record_change`,
:func:`~duban.audit.service.record_many`) and the readers the console's history views use.
"""
