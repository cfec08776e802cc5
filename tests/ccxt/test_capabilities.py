"""The tuned venues' declared capabilities: consistent with ccxt, documented as coded."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.exchanges.ccxt.capabilities import CancelAll, derive_profile
from plugins.exchanges.ccxt.table import END, START, render
from plugins.exchanges.ccxt.venues import TUNED

DOC = Path(__file__).resolve().parents[2] / "docs" / "ccxt_capabilities.md"


def test_two_dozen_venues_are_tuned() -> None:
    assert len(TUNED) >= 24


@pytest.mark.parametrize("venue", sorted(TUNED))
def test_declared_profile_agrees_with_ccxt_metadata(venue: str) -> None:
    import ccxt

    client = getattr(ccxt, venue)()
    declared = TUNED[venue].profile
    derived = derive_profile(client.has, client.features)
    assert declared is not None
    assert declared.closed_orders == derived.closed_orders
    assert declared.open_orders == derived.open_orders
    assert declared.post_only == derived.post_only
    natively = declared.cancel_all in (CancelAll.NATIVE, CancelAll.NATIVE_PER_SYMBOL)
    assert natively == (client.has.get("cancelAllOrders") is True)


def test_doc_table_matches_the_code() -> None:
    text = DOC.read_text()
    assert START in text
    assert END in text
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == render()
