"""Entry point of the ``welfare`` console script.

Each sub-command lives in its own module, ``services/cli/<name>_cmd.py``, with
a ``register(subparsers)`` function; such modules are found by their name, so
adding a command touches no shared list. Handlers raise
``CliError`` (or let a ``pydantic.ValidationError`` through) for bad input, and
the user sees one line saying what is wrong.

Why argparse and not typer: every command is a module registering its own
sub-parser, and the tests call ``main(argv)``; typer would rewrite all of them
for what argparse plus a few lines give here: ``--version``, shell completion
(shtab reads the same parser: ``welfare completion bash``), options shared by
every level (``services/cli/options.py``), and rich for the progress displays.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from importlib.metadata import PackageNotFoundError, version

from pydantic import ValidationError

from services.cli.errors import CliError
from services.cli.options import add_token_file
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
    parser.add_argument("--version", action="version", version=f"welfare {_version()}")
    add_token_file(parser)  # also after the command: welfare round start ... --token-file F
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in command_modules():
        importlib.import_module(name).register(subparsers)
    _completion(subparsers, parser)
    return parser


def _version() -> str:
    try:
        return version("welfare-matching")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _completion(subparsers: argparse._SubParsersAction, root: argparse.ArgumentParser) -> None:
    """``welfare completion bash|zsh|tcsh``: the script, from this very parser (shtab)."""
    completion = subparsers.add_parser(
        "completion", help="print a shell completion script: "
                           "eval \"$(welfare completion bash)\"")
    completion.add_argument("shell", choices=("bash", "zsh", "tcsh"))

    def write(args: argparse.Namespace) -> int:
        import shtab

        print(shtab.complete(root, shell=args.shell))
        return 0

    completion.set_defaults(handler=write)


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
