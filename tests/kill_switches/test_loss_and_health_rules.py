"""What the loss and health switches share: two optional limits of which at least one must
be given (each switch says which, in one wording), and no valuation without a price (a
warning, never a trip)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from fortuna import Component, Context, NoArgs, VirtualClock
from plugins.exchanges.sim import SimExchange
from plugins.kill_switches.drawdown import DrawdownSwitch
from plugins.kill_switches.pnl import PnlSwitch
from plugins.kill_switches.venue_health import VenueHealthSwitch
from tests.kill_switches.support import Held, Mark
from tests.market_making.mandates import SYMBOL
from tests.sinks.support import LogRecorder

TWO_LIMITS: list[tuple[type[Component[Any]], str, str]] = [
    (PnlSwitch, "max_loss_from_peak", "max_loss_since_start"),
    (DrawdownSwitch, "max_drawdown", "max_loss"),
    (VenueHealthSwitch, "max_error_rate", "max_latency"),
]


def args_of(switch: type[Component[Any]], **limits: str) -> Any:
    """``switch``'s args with a venue, a mark price and ``limits``."""
    clock = VirtualClock(VirtualClock.Args())
    venue = SimExchange(SimExchange.Args.model_validate(
        {"markets": [{"symbol": SYMBOL, "price": 100}]}), Context(name="sim", clock=clock))
    mark = Mark(NoArgs(), Context(name="mark", clock=clock))
    common: dict[str, Any] = {"exchange": venue, "symbol": SYMBOL}
    if switch is not VenueHealthSwitch:
        common["price"] = mark
    return switch.Args.model_validate({**common, **limits})


@pytest.mark.parametrize(("switch", "first", "second"), TWO_LIMITS)
def test_a_switch_with_neither_of_its_two_limits_is_refused_naming_both(
        switch: type[Component[Any]], first: str, second: str) -> None:
    with pytest.raises(ValidationError, match=f"give {first}, {second} or both"):
        args_of(switch)


@pytest.mark.parametrize(("switch", "first", "second"), TWO_LIMITS)
def test_either_limit_alone_is_enough(
        switch: type[Component[Any]], first: str, second: str) -> None:
    assert getattr(args_of(switch, **{first: "0.5"}), second) is None
    assert getattr(args_of(switch, **{second: "0.5"}), first) is None


@pytest.mark.parametrize(("switch", "limits", "unmarked"), [
    (PnlSwitch, {"max_loss_since_start": "1"}, "pnl not marked"),
    (DrawdownSwitch, {"max_loss": "1"}, "drawdown not evaluated"),
])
async def test_a_loss_switch_without_a_price_warns_and_does_not_trip(
        switch: type[Component[Any]], limits: dict[str, str], unmarked: str) -> None:
    clock = VirtualClock(VirtualClock.Args())
    mark = Mark(NoArgs(), Context(name="mark", clock=clock))
    held = Held(NoArgs(), Context(name="held", clock=clock))
    log = LogRecorder()
    loss = switch(switch.Args.model_validate(
        {"exchange": held, "symbol": SYMBOL, "price": mark, **limits}),
        Context(name="loss", clock=clock, log=log))
    assert isinstance(loss, PnlSwitch | DrawdownSwitch)
    assert not await loss.check()                 # value 2000: the start and the peak
    mark.value = None
    assert not await loss.check()
    assert not loss.tripped
    assert loss.value == 2000                      # the last valuation stands
    assert log.named(f"price unavailable: {unmarked}", "warning") == [
        {"error": "mark: no mark"}]
