"""The rehearsal's HTML report: the summary and its plots in one self-contained file.

Plots are plotly figures with plotly.js inlined once, so the file opens anywhere, offline,
with nothing beside it. Per quoted market: the reference price with the mandate's best
bid and ask and its fills; the inventory; the P&L over time (mark-to-market at each
sample's reference, from the fills, so its last point is the summary's P&L); the quoted
spread and the depth on each side against the strategy's own targets. Then the event
timeline (start, kill-switch trips, end).

Values go to the plots as the decimal strings they are (axes are declared linear), never
through a float. Series longer than :data:`MAX_POINTS` are thinned evenly for the browser;
the summary's figures are always computed from every sample and every fill.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from plugins.rehearsal._book import spread_bps
from plugins.rehearsal._render import as_text

if TYPE_CHECKING:
    from plugins.rehearsal._book import Book
    from plugins.rehearsal.summary import RunSummary

__all__ = ["MAX_POINTS", "render_report", "write_report"]

MAX_POINTS = 4000


def _thin(items: list[Any]) -> list[Any]:
    if len(items) <= MAX_POINTS:
        return items
    stride = -(-len(items) // MAX_POINTS)
    return items[::stride] + ([items[-1]] if (len(items) - 1) % stride else [])


def _t(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _s(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _figures(book: Book) -> list[tuple[str, Any]]:
    import plotly.graph_objects as go

    samples = _thin(book.samples)
    times = [_t(s.t) for s in samples]
    base, quote = book.market.base, book.market.quote
    price = go.Figure()
    price.add_scatter(x=times, y=[_s(s.reference) for s in samples], name="reference",
                      line={"color": "#444"})
    price.add_scatter(x=times, y=[_s(s.bid) for s in samples], name="best bid",
                      line={"color": "#2a9d8f", "shape": "hv"})
    price.add_scatter(x=times, y=[_s(s.ask) for s in samples], name="best ask",
                      line={"color": "#e76f51", "shape": "hv"})
    for side, colour, symbol in (("buy", "#1b7f3a", "triangle-up"),
                                 ("sell", "#b3261e", "triangle-down")):
        fills = _thin([f for f in book.fills if f.side.value == side])
        price.add_scatter(x=[f.timestamp for f in fills], y=[_s(f.price) for f in fills],
                          mode="markers", name=f"{side} fills",
                          marker={"color": colour, "symbol": symbol, "size": 7})
    start = book.base_start
    inventory = go.Figure()
    inventory.add_scatter(x=times, y=[_s(start + s.base_change) for s in samples],
                          name=base, line={"shape": "hv"})
    pnl = go.Figure()
    pnl.add_scatter(x=times, y=[_s(book.pnl_at(s)) for s in samples], name="P&L",
                    fill="tozeroy")
    spread = go.Figure()
    spread.add_scatter(x=times, y=[_s(spread_bps(s.bid, s.ask)) for s in samples],
                       name="quoted spread")
    if book.target_spread_bps is not None and times:
        spread.add_scatter(x=[times[0], times[-1]], y=[_s(book.target_spread_bps)] * 2,
                           name="target", line={"dash": "dash"})
    depth = go.Figure()
    depth.add_scatter(x=times, y=[_s(s.bid_depth) for s in samples], name="bid depth",
                      line={"shape": "hv", "color": "#2a9d8f"})
    depth.add_scatter(x=times, y=[_s(s.ask_depth) for s in samples], name="ask depth",
                      line={"shape": "hv", "color": "#e76f51"})
    for value, name in ((book.target_bid_depth, "bid target"),
                        (book.target_ask_depth, "ask target")):
        if value is not None and times:
            depth.add_scatter(x=[times[0], times[-1]], y=[_s(value)] * 2, name=name,
                              line={"dash": "dash"})
    label = f"{book.symbol} on {book.venue}"
    return [
        (f"{label}: reference, best quotes and fills ({quote})", price),
        (f"{label}: inventory ({base})", inventory),
        (f"{label}: P&L at the reference ({quote}, net of fees)", pnl),
        (f"{label}: quoted spread against target (bps)", spread),
        (f"{label}: depth on each side against target ({base})", depth),
    ]


def _timeline(summary: RunSummary) -> Any:
    import plotly.graph_objects as go

    events: list[tuple[float, str, str]] = []
    if summary.started_at is not None:
        events.append((summary.started_at, "start", "run started"))
    for trip in summary.trips:
        events.append((trip["time"], f"trip: {trip['switch']}", str(trip["reason"])))
    if summary.ended_at is not None:
        events.append((summary.ended_at, "stop", "run ended"))
    figure = go.Figure()
    figure.add_scatter(x=[_t(t) for t, _, _ in events], y=[kind for _, kind, _ in events],
                       mode="markers+text", text=[text for _, _, text in events],
                       textposition="top center", marker={"size": 12}, name="events")
    return figure


def render_report(summary: RunSummary) -> str:
    """The whole report as one HTML document."""
    import plotly.io as pio

    plots: list[tuple[str, Any]] = []
    for book in summary.books:
        plots.extend(_figures(book))
    plots.append(("event timeline", _timeline(summary)))
    parts = []
    for index, (title, figure) in enumerate(plots):
        figure.update_layout(title=title, height=380, margin={"l": 60, "r": 20, "t": 50,
                                                              "b": 40},
                             template="plotly_white")
        if title != "event timeline":
            figure.update_yaxes(type="linear")
        parts.append(pio.to_html(figure, full_html=False, include_plotlyjs=index == 0,
                                 div_id=f"plot-{index}", config={"displaylogo": False}))
    text = html.escape(as_text(summary.figures()))
    substituted = ""
    if summary.substitutions:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in summary.substitutions)
        substituted = (f"<h2>What the rehearsal simulated</h2><ul id=\"substitutions\">"
                       f"{items}</ul>")
    title = html.escape(f"Rehearsal of {summary.source}" if summary.rehearsal
                        else f"Run of {summary.source}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{title}</title><style>body{{font-family:sans-serif;margin:24px;}}"
        "pre{background:#f6f6f6;padding:12px;overflow-x:auto}</style></head><body>"
        f"<h1>{title}</h1><pre id=\"summary\">{text}</pre>{substituted}"
        + "".join(f"<section class=\"plot\">{part}</section>" for part in parts)
        + "</body></html>\n"
    )


def write_report(summary: RunSummary, path: str) -> None:
    """Write the report to ``path`` (``OSError`` if it cannot be written)."""
    document = render_report(summary)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(document)
