"""A mandate whose tick crashes with a secret in its message and its locals, run through
``execute`` like ``fortuna run``: ``crash_child.py LOG_FORMAT`` (the secret comes from the
environment variable ``CRASH_SECRET``, as an ``!env`` credential would)."""

from __future__ import annotations

import os
import sys

from pydantic import Field, SecretStr

from fortuna import Position, TickArgs, TickService
from fortuna._internal.cli.run_command import execute
from fortuna._internal.plan import Plan, PlannedComponent
from fortuna._internal.settings import Settings


class LeakyArgs(TickArgs):
    api_key: SecretStr = Field(description="a credential")


class Leaky(TickService[LeakyArgs]):
    """Signs a request the way a client library would, then fails with the key in hand."""

    async def tick(self) -> None:
        key = self.args.api_key.get_secret_value()
        headers = {"X-MBX-APIKEY": key, "X-Nested": {"deep": [key]}}  # a frame's locals
        raise RuntimeError(f"venue refused the request signed with {key}: {headers}")


def plan() -> Plan:
    args = {"interval": "10ms", "max_consecutive_failures": 2,
            "api_key": os.environ["CRASH_SECRET"]}
    return Plan(source="crash.yaml", service="svc", components={
        "svc": PlannedComponent("svc", "tests.leaky", Leaky, args, (), Position(3, 3)),
    })


if __name__ == "__main__":
    sys.exit(execute(plan(), Settings.resolve(log_format=sys.argv[1], log_level="debug")))
