"""Units (责任单位): city departments, counties/districts and zones, their hierarchy and aliases.

A shared room below the domains: the ledger assigns items to units, cases are dispatched to
them, accounts of role ``unit`` belong to one. ``models`` holds the tables, ``schemas`` the
unit-file entry, ``service`` every read and write (load a unit file, resolve a name or alias, look
units up by id); ``units.yaml`` is the default list of a prefecture-level city.
"""
