"""The core's rehearsal: the catalog's substitutes act, the clock becomes virtual, and a
mandate with no venue to simulate is refused."""

from __future__ import annotations

import pytest

import fortuna
from fortuna._internal.rehearsal import RehearsalRefused, rehearse_mandate
from fortuna._internal.validation import plan_for
from tests.rehearsal.support import CONFIGS


def test_a_mandate_with_nothing_to_simulate_is_refused() -> None:
    mandate = fortuna.load_mandate(CONFIGS / "demo.yaml")
    with pytest.raises(RehearsalRefused, match="nothing to rehearse"):
        rehearse_mandate(mandate, plan_for(mandate, for_run=False), substitutes={})


def test_a_mandate_without_a_clock_gets_a_virtual_one() -> None:
    mandate = fortuna.load_mandate(CONFIGS / "metrics" / "postgres.yaml")
    rehearsed, rehearsal = rehearse_mandate(mandate, plan_for(mandate, for_run=False))
    assert rehearsed.components["clock"].id == "clock.virtual"
    assert any(s.component == "clock" and s.was is None for s in rehearsal.substitutions)


def test_a_wall_clock_becomes_virtual() -> None:
    demo = fortuna.load_mandate(CONFIGS / "demo.yaml").data
    mandate = fortuna.Mandate.from_dict({**demo, "components": {
        **demo["components"], "clock": {"id": "clock.wall"}}})
    rehearsed, rehearsal = rehearse_mandate(mandate, plan_for(mandate, for_run=False))
    assert rehearsed.components["clock"].id == "clock.virtual"
    assert [s.was for s in rehearsal.substitutions if s.component == "clock"] == ["clock.wall"]


def test_the_rehearsed_mandate_validates_and_the_original_is_unchanged() -> None:
    mandate = fortuna.load_mandate(CONFIGS / "arbitrage" / "case_study.yaml")
    before = repr(mandate.data)
    rehearsed, _ = rehearse_mandate(mandate, plan_for(mandate, for_run=False), {
        "prices": {"BTC/USDT": "65000", "BTC/USDC": "65000", "USDC/USDT": "1"}, "seed": 7})
    assert fortuna.validate(rehearsed, for_run=True).ok
    assert repr(mandate.data) == before
    assert rehearsed.components["binance"].args["seed"] == 7
