"""Names next to ids: "Asilo Nido Arcobaleno (MO-P0003)" where the name is known."""

from __future__ import annotations

from collections.abc import Mapping

MISSING = "–"


class Names:
    """Call with an id: "Name (id)" where one of the tables names it, else the id."""

    def __init__(self, *tables: Mapping[str, str] | None) -> None:
        self.names: dict[str, str] = {}
        for table in tables:
            self.names.update(table or {})

    def __call__(self, ident: str | None) -> str:
        if ident is None:
            return MISSING
        name = self.names.get(ident)
        return f"{name} ({ident})" if name and name != ident else ident
