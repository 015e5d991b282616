"""``welfare db upgrade|current [SERVICE|all]``: each service's Alembic migrations.

The services migrate their own tables when they start; these commands do it
(or only look) beforehand, e.g. from a deployment job, against
``WELFARE_DATABASE_URL`` with ``{service}`` filled in as each service fills it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from services.cli.errors import CliError
from services.common.database import database_url, make_engine
from services.common.migrations import current, upgrade
from services.common.settings import Settings

# The services that own tables; each keeps its scripts in services/<name>/migrations.
SERVICES = ("intake", "supply", "matcher", "operator")
_SERVICES_DIR = Path(__file__).resolve().parents[1]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("db", help="database migrations of the services (Alembic)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, text in (
            ("upgrade", _upgrade, "apply a service's migrations up to the latest (head)"),
            ("current", _current, "print a service's applied revision and the head")):
        action = actions.add_parser(name, help=text)
        action.add_argument("service", nargs="?", default="all", choices=[*SERVICES, "all"],
                            help="one service, or all of them (default)")
        action.set_defaults(handler=handler)


def migrations_dir(service: str) -> Path:
    return _SERVICES_DIR / service / "migrations"


def _chosen(args: argparse.Namespace) -> tuple[str, ...]:
    return SERVICES if args.service == "all" else (args.service,)


def _upgrade(args: argparse.Namespace) -> int:
    settings = Settings()
    for service in _chosen(args):
        url = database_url(settings, service)
        engine = make_engine(url)
        try:
            before = current(engine, migrations_dir(service), service)
            if before.at_head:
                print(f"{service}: already at {_names(before.heads)} ({_where(url)})")
                continue
            upgrade(engine, migrations_dir(service), service)
            after = current(engine, migrations_dir(service), service)
            print(f"{service}: upgraded from {_names(before.current)} to "
                  f"{_names(after.current)} ({_where(url)})")
        except SQLAlchemyError as exc:
            raise CliError(f"{service}: the migration failed on {_where(url)}: "
                           f"{str(exc).splitlines()[0]}") from None
        finally:
            engine.dispose()
    return 0


def _current(args: argparse.Namespace) -> int:
    settings = Settings()
    behind = False
    for service in _chosen(args):
        url = database_url(settings, service)
        if _missing_sqlite_file(url):
            # Looking must not create an empty database file where none was.
            print(f"{service}: no database yet ({_where(url)} does not exist); "
                  f"`welfare db upgrade {service}` creates it")
            behind = True
            continue
        engine = make_engine(url)
        try:
            revisions = current(engine, migrations_dir(service), service)
        except SQLAlchemyError as exc:
            raise CliError(f"{service}: could not read its revision on {_where(url)}: "
                           f"{str(exc).splitlines()[0]}") from None
        finally:
            engine.dispose()
        state = ("at head" if revisions.at_head else
                 f"behind: run `welfare db upgrade {service}`")
        print(f"{service}: current {_names(revisions.current)}, head "
              f"{_names(revisions.heads)}, {state} ({_where(url)})")
        behind = behind or not revisions.at_head
    # 1 when any service needs an upgrade, so a deployment script can test it.
    return 1 if behind else 0


def _names(revisions: tuple[str, ...]) -> str:
    return ", ".join(revisions) if revisions else "none (never migrated)"


def _where(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _missing_sqlite_file(url: str) -> bool:
    parsed = make_url(url)
    return (parsed.get_backend_name() == "sqlite" and bool(parsed.database)
            and parsed.database != ":memory:" and not Path(parsed.database).exists())
