"""The operator service: starts matching rounds and shows their outcome.

Operators call its HTTP API (or ``welfare round ...``, which calls the API).
A start request becomes a ``StartRound`` command in the operator's outbox and
reaches ``welfare.round-commands.v1`` through the relay; round outcomes are
read from the matcher's round tables (read-only).
"""
