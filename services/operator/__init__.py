"""The operator service: starts matching rounds and shows their outcome.

Operators call its HTTP API (or ``welfare round ...``, which calls the API).
A start request becomes a ``StartRound`` command in the operator's outbox and
reaches ``welfare.round-commands.v1`` through the relay, and so does a
``CommitRound`` (commit a reviewed dry run). Round outcomes are read through
the matcher's own API (``WELFARE_MATCHER_URL``); the operator never opens the
matcher's database.
"""
