"""The client-id index: both ways in one lookup, bounded, least recently used forgotten."""

from __future__ import annotations

import pytest

from plugins.exchanges.ccxt.client_ids import ClientIdIndex, Placed


def test_a_remembered_order_is_found_by_either_id() -> None:
    index = ClientIdIndex(10)
    index.remember("mm-a-1", "1001", "BTC/USDT")
    assert index.client_id_of("1001") == "mm-a-1"
    assert index.placed("mm-a-1") == Placed("1001", "BTC/USDT")


def test_an_unknown_id_is_none_either_way() -> None:
    index = ClientIdIndex(10)
    assert index.client_id_of("1001") is None
    assert index.placed("mm-a-1") is None


def test_the_index_never_holds_more_than_its_capacity() -> None:
    index = ClientIdIndex(3)
    for number in range(100):
        index.remember(f"c{number}", f"o{number}", "BTC/USDT")
    assert len(index) == 3
    assert index.client_id_of("o96") is None
    assert [index.client_id_of(f"o{n}") for n in (97, 98, 99)] == ["c97", "c98", "c99"]


def test_the_least_recently_used_entry_is_forgotten_first() -> None:
    index = ClientIdIndex(2)
    index.remember("c1", "o1", "BTC/USDT")
    index.remember("c2", "o2", "BTC/USDT")
    assert index.client_id_of("o1") == "c1"  # o1 used: o2 is now the oldest
    index.remember("c3", "o3", "BTC/USDT")
    assert index.client_id_of("o1") == "c1"
    assert index.client_id_of("o2") is None
    assert index.placed("c2") is None


def test_a_client_id_remembered_again_keeps_both_directions_consistent() -> None:
    index = ClientIdIndex(10)
    index.remember("c1", "o1", "BTC/USDT")
    index.remember("c1", "o2", "BTC/USDT")  # the same client id landed as another order
    assert index.client_id_of("o1") is None
    assert index.client_id_of("o2") == "c1"
    assert len(index) == 1


def test_an_order_id_remembered_again_drops_its_earlier_client_id() -> None:
    index = ClientIdIndex(10)
    index.remember("c1", "o1", "BTC/USDT")
    index.remember("c2", "o1", "BTC/USDT")
    assert index.client_id_of("o1") == "c2"
    assert index.placed("c1") is None
    assert len(index) == 1


def test_an_index_without_room_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one entry"):
        ClientIdIndex(0)
