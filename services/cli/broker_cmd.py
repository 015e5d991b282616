"""``welfare broker``: run the embedded broker in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import threading

from services.common.embedded_broker import EmbeddedBroker


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "broker", help="run the embedded Kafka-compatible broker with the public topics"
    )
    parser.add_argument("--port", type=int, default=9092)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with EmbeddedBroker(port=args.port) as broker:
        print(f"embedded broker on {broker.bootstrap} with topics: {', '.join(broker.topics)}",
              flush=True)
        # It keeps nothing and refuses idempotent producers: say how to point services at it.
        print("to run a service against it:\n"
              f"  export WELFARE_KAFKA_BOOTSTRAP={broker.bootstrap}\n"
              "  export WELFARE_KAFKA_IDEMPOTENT_PRODUCER=false\n"
              "  welfare serve intake   # or supply, matcher, operator\n"
              "it keeps everything in memory: stopping it loses every record", flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0
