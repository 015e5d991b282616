"""``python -m services.matcher``: run the matcher from the environment (WELFARE_*)."""

from __future__ import annotations

import asyncio

from services.common.kafka import KafkaConnection
from services.common.logs import configure
from services.common.settings import Settings
from services.matcher.bootstrap import NAME, build


def main() -> None:
    settings = Settings()
    configure(NAME, settings.log_level, settings.log_json)
    connection = KafkaConnection.from_settings(settings)
    try:
        asyncio.run(build(settings, connection).run(host=settings.http_host))
    finally:
        connection.close()


if __name__ == "__main__":
    main()
