"""The ``fortuna rehearse`` subcommand's arguments (light: the command line builds its
parser for every command, so the rehearsal's machinery is imported only when it runs)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from fortuna._internal.cli.exit_codes import EXIT_USAGE

__all__ = ["add_parser", "command"]


def add_parser(commands: Any, duration: Callable[[str], float]) -> None:
    """The ``rehearse`` subcommand's arguments, on the command line's parser."""
    rehearse = commands.add_parser(
        "rehearse", help="run a mandate on simulated venues and the virtual clock; summarise")
    rehearse.add_argument("file", metavar="FILE")
    rehearse.add_argument("--data", metavar="DIR|FILE",
                          help="replay recorded market data (CSV or the listeners' SQLite "
                               "tables; docs/rehearsal.md) instead of a synthetic market")
    rehearse.add_argument("--duration", metavar="DURATION", type=duration,
                          help="simulated time to run (default: the data's span, or 24h)")
    rehearse.add_argument("--seed", type=int, help="seed of the simulated markets")
    rehearse.add_argument("--report", metavar="PATH", help="write an HTML report there")
    rehearse.add_argument("--format", choices=("text", "json"), default="text",
                          help="the summary's format on stdout")
    rehearse.add_argument("--price", action="append", metavar="SYMBOL=PRICE",
                          help="starting price of a market a live venue trades")
    rehearse.add_argument("--balance", action="append", metavar="CURRENCY=AMOUNT",
                          help="starting balance on the venues that replace live ones")
    rehearse.add_argument("--log-level",
                          choices=("debug", "info", "warning", "error", "critical"))
    rehearse.add_argument("--log-format", choices=("console", "json"))


def command(args: argparse.Namespace) -> int:
    """``fortuna rehearse``, from its parsed arguments."""
    from fortuna._internal.cli.rehearse_command import parse_pairs, rehearse_command

    try:
        prices = parse_pairs(args.price, "--price")
        balances = parse_pairs(args.balance, "--balance")
    except ValueError as error:
        print(f"fortuna: {error}", file=sys.stderr)
        return EXIT_USAGE
    return rehearse_command(
        args.file, data=args.data, duration=args.duration, seed=args.seed,
        report=args.report, output_format=args.format, prices=prices, balances=balances,
        log_level=args.log_level, log_format=args.log_format)
