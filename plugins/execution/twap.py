"""``execution.twap``: works a parent order in equal slices over a time window.

The window is cut into ``slices`` slices; by the end of slice ``k`` (from 0) the target
is ``(k + 1) / slices`` of the amount, the last slice's target the whole amount exactly.
At the start of each slice one child is sent for what the target asks beyond the fills
(catching up what earlier slices missed; or, with ``catch_up: false``, at most one slice).
Seeded randomisation moves each slice's start later by up to ``time_jitter`` of a slice
and its target by up to ``size_jitter`` of a slice either way, never past the amount,
so the fills stay within one and a half slices of the straight schedule (one without
size jitter). A ``marketable`` child is an immediate-or-cancel limit at the far touch
plus ``cross``; a ``limit`` child rests at the near touch until the next slice replaces
it. No child ever buys above (sells below) ``limit_price``. At the window's end the
service stops and cancels what rests.
"""

from __future__ import annotations

import bisect
import random
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from fortuna import Duration, ExactDecimal
from plugins.execution._args import ParentArgs, ParentOrderArgs
from plugins.execution._parent import ExecutionService
from plugins.execution._view import KEEP, Child, View
from schemas import Side, TimeInForce, money

__all__ = ["SliceArgs", "Twap", "TwapArgs", "schedule", "slot", "wanted"]

_HALF = Decimal("0.5")


class SliceArgs(ParentOrderArgs):
    """The schedule's args, shared with ``execution.swap_twap``."""

    window: Annotated[Duration, Field(gt=0)] = Field(
        description='how long the parent order is worked, e.g. "6h"'
    )
    slices: int = Field(ge=1, le=100_000, description="how many slices the window is cut into")
    catch_up: bool = Field(
        default=True, description="send what earlier slices missed with the next slice"
    )
    size_jitter: Annotated[ExactDecimal, Field(ge=0, le=Decimal("0.5"))] = Field(
        default=Decimal(0),
        description="move each slice's target by up to this fraction of a slice, either "
        "way (seeded)",
    )
    time_jitter: Annotated[ExactDecimal, Field(ge=0, lt=1)] = Field(
        default=Decimal(0),
        description="start each slice later by up to this fraction of a slice (seeded)",
    )
    seed: int = Field(default=0, description="seed of the randomisation: same seed, same run")

    @model_validator(mode="after")
    def _tick_fits_slices(self) -> SliceArgs:
        if self.interval > self.window / self.slices:
            raise ValueError(
                f"a slice lasts {self.window / self.slices:g} s, shorter than the tick "
                f"interval {self.interval:g} s: use fewer slices or a shorter interval"
            )
        return self


class TwapArgs(ParentArgs, SliceArgs):
    style: Literal["marketable", "limit"] = Field(
        default="marketable",
        description="marketable: immediate-or-cancel at the far touch plus `cross`; limit: "
        "rest at the near touch until the next slice",
    )
    cross: Annotated[ExactDecimal, Field(ge=0, lt=1)] = Field(
        default=Decimal("0.001"),
        description="how far past the far touch a marketable child may reach, as a fraction "
        "(0.001 = 0.1 %); the limit price still bounds it",
    )


def schedule(args: SliceArgs) -> tuple[list[float], list[Decimal]]:
    """Each slice's start (seconds after the start) and its cumulative target (base)."""
    rng = random.Random(f"fortuna.execution.twap:{args.seed}")
    length = args.window / args.slices
    base = money.divide(args.amount, Decimal(args.slices), Decimal("1e-18"),
                        money.Rounding.DOWN)
    starts: list[float] = []
    targets: list[Decimal] = []
    for k in range(args.slices):
        # timing is not money: a float fraction of the slice is fine here
        starts.append(k * length + float(args.time_jitter) * length * rng.random())
        if k == args.slices - 1:
            targets.append(args.amount)
            continue
        share = money.ratio(money.multiply(args.amount, Decimal(k + 1)), Decimal(args.slices))
        draw = Decimal(rng.randrange(1_000_000)).scaleb(-6)  # uniform in [0, 1), exact
        shift = money.multiply(money.multiply(args.size_jitter, base),
                               money.multiply(money.subtract(draw, _HALF), Decimal(2)))
        targets.append(min(args.amount, max(Decimal(0), money.add(share, shift))))
    return starts, targets


def slot(starts: list[float], elapsed: float) -> int:
    """The slice under way at ``elapsed`` given the slices' ``starts`` (-1 before the
    first starts)."""
    return bisect.bisect_right(starts, elapsed) - 1


def wanted(args: SliceArgs, targets: list[Decimal], k: int, filled: Decimal) -> Decimal:
    """What slice ``k`` asks beyond ``filled``: its target less the fills (at most one
    slice without catch-up); zero or less when nothing is wanted."""
    amount = money.subtract(targets[k], filled)
    if not args.catch_up and k > 0:
        amount = min(amount, money.subtract(targets[k], targets[k - 1]))
    return amount


class Twap(ExecutionService[TwapArgs]):
    """Time-weighted: slices a parent order evenly over a window, with seeded jitter."""

    algorithm = "twap"
    _done_slot = -1

    async def load(self) -> None:
        await super().load()
        self._starts, self._targets = schedule(self.args)

    def deadline(self) -> float | None:
        return self.args.window

    def slot(self, elapsed: float) -> int:
        """The slice under way at ``elapsed`` (-1 before the first starts)."""
        return slot(self._starts, elapsed)

    def want(self, view: View) -> Child | Literal["keep"] | None:
        k = self.slot(view.elapsed)
        if k < 0 or k <= self._done_slot:
            return KEEP
        args = self.args
        amount = wanted(args, self._targets, k, view.filled)
        if amount <= 0:
            self._done_slot = k
            return KEEP
        touch = view.touch
        side = args.side
        if args.style == "marketable":
            far = touch.far(side)
            if far is None:
                return KEEP
            factor = money.add(Decimal(1), args.cross) if side is Side.BUY else \
                money.subtract(Decimal(1), args.cross)
            return Child(price=money.multiply(far, factor), amount=amount,
                         time_in_force=TimeInForce.IOC, slot=k)
        near = touch.near(side)
        if near is None:
            return KEEP
        return Child(price=near, amount=amount, slot=k)

    def sent(self, child: Child) -> None:
        self._done_slot = max(self._done_slot, child.slot)
