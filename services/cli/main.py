"""Entry point of the ``welfare`` console script.

Each sub-command lives in its own module, ``services/cli/<name>_cmd.py``, with
a ``register(subparsers)`` function; such modules are found by their name, so
adding a command touches no shared list. Handlers raise
``CliError`` (or let a ``pydantic.ValidationError`` through) for bad input, and
the user sees one line saying what is wrong.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from pydantic import ValidationError

from services.cli.errors import CliError
from services.common.errors import describe


def command_modules() -> list[str]:
    import services.cli as package

    return sorted(
        f"{package.__name__}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.endswith("_cmd")
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="welfare", description="Matching engine for territorial welfare networks."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in command_modules():
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CliError as exc:
        print(f"welfare: error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"welfare: error: {describe(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("welfare: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
