"""Checks of kill switches (declared on the components): a stale-data switch that trips
between two ticks of what it watches.

Light: reads validated args only.
"""

from __future__ import annotations

from collections.abc import Iterator

from fortuna import Node, Problem, View

__all__ = ["stale_data"]


def _seconds(value: float) -> str:
    return f"{value:g} s"


def stale_data(node: Node, view: View) -> Iterator[Problem]:
    """``max_age`` shorter than the interval of the service using the switch, or of the
    listener feeding the price it watches: it would trip on fresh data."""
    max_age = node.args.max_age
    for user in view.referring(node.name):
        interval = getattr(user.args, "interval", None)
        if isinstance(interval, float | int) and max_age < interval:
            yield Problem(
                f"max_age {_seconds(max_age)} is shorter than the interval {_seconds(interval)} "
                f'of "{user.name}", which reads it once a tick: it would trip on data that is '
                f"as fresh as it can be; make max_age at least {_seconds(interval)}",
                ("max_age",))
    price = view.node(node.args.price)
    if price is None:
        return
    for value in vars(price.args).values():
        feed = view.node(value)
        interval = getattr(feed.args, "interval", None) if feed is not None else None
        if feed is not None and isinstance(interval, float | int) and max_age < interval:
            yield Problem(
                f'max_age {_seconds(max_age)} is shorter than the interval {_seconds(interval)} '
                f'at which "{feed.name}" fetches the data "{price.name}" reads: it would trip '
                f"between two fetches; make max_age at least {_seconds(interval)}",
                ("max_age",))
