"""Where the operator reads rounds: the matcher's tables, then its own outbox.

A round exists in the matcher's tables once the matcher has taken the command.
Until then the operator still knows it asked for it, so a fresh round shows as
``requested`` instead of "not found".
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, exists, inspect, select

from schemas.topics import ROUND_COMMANDS
from services.common.outbox import Outbox
from services.matcher import queries
from services.matcher import tables as matcher_tables


class MatcherRounds:
    def __init__(self, matcher_engine: Engine, engine: Engine, outbox: Outbox) -> None:
        self.matcher_engine = matcher_engine
        self.engine = engine
        self.outbox = outbox

    def list_rounds(self, network: str | None, limit: int) -> list[Any]:
        if not self._matcher_migrated():
            return []
        return queries.list_rounds(self.matcher_engine, network=network, limit=limit)

    def get_round(self, round_id: str) -> Any | None:
        found = None
        if self._matcher_migrated():
            found = queries.get_round(self.matcher_engine, round_id)
        return found if found is not None else self._requested(round_id)

    def network_known(self, network: str) -> bool:
        """Whether the matcher's book holds any firm, provider or offer of the network.

        A round on a network it has never heard of (a typo: ``bologna`` for
        ``bologna-metro``) would complete, optimal, with nothing to match.
        """
        present = inspect(self.matcher_engine)
        book = [table for table in (matcher_tables.firms, matcher_tables.providers,
                                    matcher_tables.offers) if present.has_table(table.name)]
        with self.matcher_engine.connect() as connection:
            return any(
                connection.execute(select(exists().where(table.c.network_id == network)))
                .scalar() for table in book)

    def _matcher_migrated(self) -> bool:
        # The operator may start before the matcher has created its tables.
        return inspect(self.matcher_engine).has_table("matcher_rounds")

    def _requested(self, round_id: str) -> dict[str, Any] | None:
        t = self.outbox.table
        query = select(t.c.value, t.c.published_at).where(
            t.c.topic == ROUND_COMMANDS, t.c.event_type == "StartRound"
        ).order_by(t.c.id.desc()).limit(1000)
        with self.engine.connect() as connection:
            for value, published_at in connection.execute(query):
                command = json.loads(value)
                if command["round_id"] == round_id:
                    return {
                        "round_id": round_id,
                        "network_id": command["network_id"],
                        "status": "requested",
                        "dry_run": command["dry_run"],
                        "command_sent": published_at is not None,
                    }
        return None
