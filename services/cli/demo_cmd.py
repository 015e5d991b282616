"""``welfare demo``: the main job on the embedded defaults (see services/demo)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from services.common.logs import JsonFormatter
from services.demo.story import run_demo


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the whole pipeline on a generated Modena network, end to end")
    parser.add_argument("--workdir", type=Path, default=Path("var/demo"),
                        help="where the scenario, tokens, databases and logs go")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--weeks", default="2027-W24..2027-W36")
    parser.add_argument("--time-limit", type=float, default=20.0,
                        help="solver time limit per round, seconds")
    parser.add_argument("--stop", action="store_true",
                        help="stop as soon as the season has played, instead of keeping the "
                             "services and the console running until Ctrl-C")
    parser.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    log_file = args.workdir.parent / f"{args.workdir.name}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, mode="w")
    handler.setFormatter(JsonFormatter("demo"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    print(f"(service logs: {log_file})", flush=True)
    linger = None if args.stop else _until_interrupted
    try:
        asyncio.run(run_demo(lambda text: print(text, flush=True), workdir=args.workdir,
                             seed=args.seed, weeks=args.weeks, time_limit_s=args.time_limit,
                             linger=linger))
    except KeyboardInterrupt:
        pass  # Ctrl-C while lingering: asyncio.run has already stopped every service
    print("\nEverything stopped cleanly.")
    return 0


async def _until_interrupted() -> None:
    print("\nEverything keeps running for you to look around: Ctrl-C stops it.", flush=True)
    await asyncio.Event().wait()
