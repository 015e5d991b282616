"""Supply: providers publish, update and withdraw capacity offers (welfare.capacity.v1).

Layers: ``domain`` (versions of an offer), ``adapters`` (tables, CSV),
``service_layer`` (use cases, one transaction each, events via the outbox),
``api`` (HTTP), ``bootstrap`` (the composition root).
"""
