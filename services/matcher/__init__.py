"""The matcher service: the book of demand and capacity, and the matching rounds.

Flow (topic -> what happens -> table)::

    welfare.demand.v1 ............ adapters.book.apply_book_event -> matcher_firms, matcher_demand_lines
    welfare.capacity.v1 .......... adapters.book.apply_book_event -> matcher_providers, matcher_offers
    welfare.provider-responses.v1  service_layer.responses.apply_response -> matcher_contract_responses,
                                                     matcher_pinned, matcher_excluded
    welfare.round-commands.v1 .... adapters.round_store.request_round -> matcher_rounds (requested)
    round runner (a loop) ........ snapshot -> worker process -> matcher_rounds (completed),
                                   matcher_contracts, _contract_offers, _contract_lines,
                                   matcher_unmet_lines, matcher_outbox
    outbox relay (a loop) ........ matcher_outbox -> welfare.round-events.v1,
                                                     welfare.assignments.v1

Every message is applied in one transaction with its event id (matcher_processed_events),
so redelivery changes nothing; every event emitted is written to the outbox in the
transaction that caused it.

Modules, inside out, laid out as intake's and supply's are:

- ``domain/``, no I/O: ``ids`` (deterministic event and contract ids, input hash),
  ``awards`` (result -> what each provider is told: award, amendment, withdrawal),
  ``summary`` (RoundSummary);
- ``adapters/``: ``tables`` (schema; ``migrations/``), ``book``, ``snapshot`` (book ->
  RoundSnapshot), ``round_store`` (the round lifecycle), ``results`` (result -> rows),
  ``standing`` (the contracts providers hold), ``worker`` (the optimiser in a process),
  ``queries``, ``round_slices``, ``firm_outcome``, ``provider_awards``, ``freshness``
  (what the read API reads), ``lag`` and ``gauges`` (measurement loops);
- ``service_layer/``: ``handlers`` (what each message does), ``responses`` (providers'
  answers), ``runner`` (the round loop), ``commit`` (commit a reviewed dry run),
  ``refused`` (a command it cannot take), ``phases`` (where a running round is);
- at the top, the entrypoints: ``read_api`` + ``views`` (the read API and its models),
  ``subscribers`` (thin), ``options``, ``bootstrap`` (the composition root),
  ``__main__`` (``python -m services.matcher``).
"""
