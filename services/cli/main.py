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
import time
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


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every command's parser, or with ``only`` (a module of command_modules()) that
    command's alone (and no ``completion``, which needs them all)."""
    parser = argparse.ArgumentParser(
        prog="welfare", description="Matching engine for territorial welfare networks."
    )
    parser.add_argument("--version", action="version", version=f"welfare {_version()}")
    add_token_file(parser)  # also after the command: welfare round start ... --token-file F
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in [only] if only else command_modules():
        importlib.import_module(name).register(subparsers)
    if not only:
        _completion(subparsers, parser)
    return parser


def _command_module(argv: list[str]) -> str | None:
    """The module of the command ``argv`` names, when its name is its module's
    (``solve`` -> ``solve_cmd``). Importing every command took 3 s (the web and
    database stacks), longer than a 2 s ``welfare solve --time-limit``."""
    words = iter(argv)
    for word in words:
        if word == "--token-file":
            next(words, None)
        elif not word.startswith("-"):
            name = f"services.cli.{word.replace('-', '_')}_cmd"
            return name if name in command_modules() else None
    return None


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
    """``argv`` None: this process was started to run the command (the console
    script), so a time limit counts from the process's start (process_clock.py);
    called with a list (tests, other code), from this call."""
    entered = time.perf_counter()
    started = None
    if argv is None:
        from services.cli.process_clock import process_start

        started = process_start()
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(_command_module(words)).parse_args(argv)
    args.started = entered if started is None else started
    try:
        code = int(args.handler(args) or 0)
        if argv is None and getattr(args, "exit_at_once", False):
            _exit_at_once(code)
        return code
    except CliError as exc:
        print(f"welfare: error: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"welfare: error: {describe(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("welfare: interrupted", file=sys.stderr)
        return 130


def _exit_at_once(code: int) -> None:
    """End the process now, its output flushed: a command that set ``exit_at_once``
    (``welfare solve``: its files are written and closed) skips the interpreter's
    teardown, 0.15-0.2 s of freeing a round's objects, past its time limit. Only
    where this process runs the command (``main()`` without ``argv``), never in tests."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
