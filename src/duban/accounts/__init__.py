"""Accounts of the console: users with a role (office/unit/leader/operator), sessions and API tokens.

Owns the ``users``, ``user_sessions`` and ``api_tokens`` tables (migrations ``0100``, ``0210``) and the
service that writes them; passwords are argon2 hashes, session and API tokens are stored only
as SHA-256 digests.
"""
