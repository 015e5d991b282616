"""``welfare republish [SERVICE|all]``: publish the latest event of every entity again.

What the services do by themselves when they find the broker's log gone
backwards (services/common/broker_log.py), by hand: after restoring a cluster
from nothing, say, or when a consumer's book must be rebuilt. It queues in each
service's outbox the latest published event of every firm, line, provider,
offer, round and contract, with its original event id; the running service's
relay publishes them within a second (or the service when it starts).
Consumers drop what they had and apply what they lost, so it is safe to run
at any time.
"""

from __future__ import annotations

import argparse
import importlib

from sqlalchemy import Table
from sqlalchemy.exc import SQLAlchemyError

from services.cli.db_cmd import SERVICES, _missing_sqlite_file, _where
from services.cli.errors import CliError
from services.common.database import database_url, make_engine
from services.common.outbox import Outbox
from services.common.settings import Settings

# Where each service keeps its outbox table (an Outbox, or the bare Table).
_OUTBOX_OF = {
    "intake": "services.intake.adapters.tables",
    "supply": "services.supply.adapters.tables",
    "matcher": "services.matcher.adapters.tables",
    "operator": "services.operator.adapters.tables",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "republish", help="publish the latest event of every entity again (after a broker "
                          "lost its log); consumers drop what they already had")
    parser.add_argument("service", nargs="?", default="all", choices=[*SERVICES, "all"],
                        help="one service, or all of them (default)")
    parser.set_defaults(handler=_republish)


def outbox_of(service: str) -> Outbox:
    found = importlib.import_module(_OUTBOX_OF[service]).outbox
    return Outbox(found) if isinstance(found, Table) else found


def _republish(args: argparse.Namespace) -> int:
    settings = Settings()
    for service in SERVICES if args.service == "all" else (args.service,):
        url = database_url(settings, service)
        if _missing_sqlite_file(url):
            print(f"{service}: no database yet ({_where(url)} does not exist), nothing to "
                  "publish again")
            continue
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                queued = outbox_of(service).republish(connection)
        except SQLAlchemyError as exc:
            raise CliError(f"{service}: could not queue its events again on {_where(url)} "
                           f"(is it migrated? `welfare db upgrade {service}`): "
                           f"{str(exc).splitlines()[0]}") from None
        finally:
            engine.dispose()
        print(f"{service}: queued the latest event of {queued} entities again; the running "
              f"service publishes them ({_where(url)})")
    return 0
