"""The matcher service: the book of demand and capacity, and the matching rounds.

Flow (topic -> what happens -> table)::

    welfare.demand.v1 ............ book.apply_book_event -> matcher_firms, matcher_demand_lines
    welfare.capacity.v1 .......... book.apply_book_event -> matcher_providers, matcher_offers
    welfare.provider-responses.v1  responses.apply_response -> matcher_contract_responses,
                                                     matcher_pinned, matcher_excluded
    welfare.round-commands.v1 .... round_store.request_round -> matcher_rounds (requested)
    round runner (a loop) ........ snapshot -> worker process -> matcher_rounds (completed),
                                   matcher_contracts, _contract_offers, _contract_lines,
                                   matcher_unmet_lines, matcher_outbox
    outbox relay (a loop) ........ matcher_outbox -> welfare.round-events.v1,
                                                     welfare.assignments.v1

Every message is applied in one transaction with its event id (matcher_processed_events),
so redelivery changes nothing; every event emitted is written to the outbox in the
transaction that caused it.

Modules, inside out:

- domain, no I/O: ``ids`` (deterministic event and contract ids, input hash),
  ``awards`` (result -> one ContractAwarded per provider), ``summary`` (RoundSummary);
- adapters: ``tables`` (schema; ``migrations/``), ``book``, ``responses``,
  ``snapshot`` (book -> RoundSnapshot), ``round_store`` (the round lifecycle),
  ``results`` (result -> rows), ``worker`` (the optimiser in a process),
  ``queries`` + ``views`` (the read API for the operator);
- entrypoints: ``handlers`` (what each message does), ``subscribers`` (thin),
  ``runner`` (the round loop), ``lag`` and ``gauges`` (measurement loops),
  ``bootstrap`` (the composition root), ``__main__`` (``python -m services.matcher``).
"""
