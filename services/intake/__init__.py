"""Intake: firms' survey answers in, k-anonymous demand lines out (welfare.demand.v1).

Layers: ``domain`` (answers, cells, aggregation, suppression, changes: no I/O),
``adapters`` (tables, CSV), ``service_layer`` (use cases, one transaction each,
events via the outbox), ``api`` (HTTP), ``bootstrap`` (the composition root).
Employee-level answers stay in ``intake_answers``.
"""
