"""Accounts of the console: users with a role (office/unit/leader), sessions and API tokens.

Owns the ``users``, ``user_sessions`` and ``api_tokens`` tables (migration ``0100``) and the
service that writes them; passwords are argon2 hashes, session and API tokens are stored only
as SHA-256 digests.
"""
