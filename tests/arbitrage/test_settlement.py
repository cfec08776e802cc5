"""The settlement state machine, without a venue: each transition as an example, then every
reachable path driven by hypothesis (rule-based machines and random runs to the end)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from plugins.arbitrage._settlement import Settlement
from plugins.arbitrage._settlement_data import (
    OPEN,
    TERMINAL,
    Absent,
    Event,
    Fate,
    Found,
    Interrupted,
    LookUp,
    LookupFailed,
    NotSent,
    Order,
    Phase,
    Policy,
    Raised,
    Rebalance,
    Role,
    Sending,
    SettlementError,
    Traded,
    Venue,
)
from schemas import Side

D = Decimal
AMOUNT = D("0.05")


def legs(attempts: int = 3, policy: Policy = Policy.UNWIND) -> Settlement:
    buy = Order("b", Role.BUY, Venue.BUYER, Side.BUY, AMOUNT, D("100010"))
    sell = Order("s", Role.SELL, Venue.SELLER, Side.SELL, AMOUNT, D("100500"))
    return Settlement.start(buy, sell, policy, attempts)


def rebalancing(order_id: str, due: Rebalance, amount: Decimal | None = None) -> Order:
    return Order(order_id, Role.REBALANCE, due.venue, due.side, amount or due.amount,
                 D("99000"), attempt=due.attempt)


def run(state: Settlement, *events: Event) -> Settlement:
    for event in events:
        state = state.apply(event)
    return state


def due(state: Settlement) -> Rebalance:
    (action,) = state.actions()
    assert isinstance(action, Rebalance)
    return action


# -- examples ------------------------------------------------------------------------------


def test_two_full_legs_settle_with_nothing_to_do() -> None:
    state = run(legs(), Traded("b", AMOUNT), Traded("s", AMOUNT))
    assert state.phase is Phase.SETTLED
    assert state.actions() == ()


def test_nothing_is_decided_while_a_leg_is_in_flight() -> None:
    state = run(legs(), Traded("b", AMOUNT))
    assert state.phase is Phase.LEGS
    assert state.actions() == ()


def test_a_refused_leg_filled_nothing_and_the_other_is_unwound_where_it_traded() -> None:
    state = run(legs(), Traded("b", AMOUNT), Raised("s", "InsufficientFunds", refused=True))
    assert state.phase is Phase.REBALANCING
    assert due(state) == Rebalance(1, Venue.BUYER, Side.SELL, AMOUNT)


def test_hedge_completes_a_missing_sell_on_the_other_venue() -> None:
    state = run(legs(policy=Policy.HEDGE), Traded("b", AMOUNT),
                Raised("s", "InsufficientFunds", refused=True))
    assert due(state) == Rebalance(1, Venue.SELLER, Side.SELL, AMOUNT)


def test_unwind_buys_back_on_the_sell_venue_when_the_buy_leg_filled_less() -> None:
    state = run(legs(), Traded("b", D("0.02")), Traded("s", AMOUNT))
    assert due(state) == Rebalance(1, Venue.SELLER, Side.BUY, D("0.03"))


def test_a_leg_that_raised_anything_else_is_looked_up_before_anything_is_sent() -> None:
    state = run(legs(), Traded("b", AMOUNT), Raised("s", "RuntimeError: boom", refused=False))
    assert state.order("s").fate is Fate.IN_DOUBT
    assert state.actions() == (LookUp("s", 1),)


def test_a_leg_found_by_its_client_order_id_counts_its_real_fill() -> None:
    state = run(legs(), Traded("b", AMOUNT), Raised("s", "RequestTimeout", refused=False),
                Found("s", AMOUNT))
    assert state.phase is Phase.SETTLED


def test_a_leg_the_venue_does_not_know_was_not_placed() -> None:
    state = run(legs(), Traded("b", AMOUNT), Raised("s", "RequestTimeout", refused=False),
                Absent("s"))
    assert state.order("s").fate is Fate.NOT_PLACED
    assert due(state).side is Side.SELL


def test_a_failed_lookup_is_retried_up_to_the_attempts_then_halts() -> None:
    state = run(legs(attempts=2), Traded("b", AMOUNT), Raised("s", "timeout", refused=False),
                LookupFailed("s", "reset", final=False))
    assert state.actions() == (LookUp("s", 2),)
    state = state.apply(LookupFailed("s", "reset again", final=False))
    assert state.phase is Phase.HALTED_UNKNOWN
    assert state.order("s").doubt == "reset again"


def test_a_lookup_that_can_never_succeed_halts_at_once() -> None:
    state = run(legs(), Traded("b", AMOUNT), Raised("s", "timeout", refused=False),
                LookupFailed("s", "cannot look it up", final=True))
    assert state.phase is Phase.HALTED_UNKNOWN


def test_an_unknown_leg_halts_only_once_the_other_leg_is_known() -> None:
    state = run(legs(), Raised("s", "timeout", refused=False),
                LookupFailed("s", "no", final=True))
    assert state.phase is Phase.LEGS
    state = state.apply(Traded("b", AMOUNT))
    assert state.phase is Phase.HALTED_UNKNOWN
    assert state.exposure == (D(0), AMOUNT)  # sold nothing .. sold everything


def test_a_rebalancing_order_that_timed_out_is_looked_up_not_sent_again() -> None:
    state = run(legs(), Traded("b", AMOUNT), Raised("s", "refused", refused=True))
    order = rebalancing("r1", due(state))
    state = run(state, Sending(order), Raised("r1", "CancelledError", refused=False))
    assert state.actions() == (LookUp("r1", 1),)
    state = state.apply(Found("r1", AMOUNT))
    assert state.phase is Phase.SETTLED


def test_rebalancing_retries_what_is_left_until_flat() -> None:
    state = run(legs(), Traded("b", AMOUNT), Traded("s", D(0)))
    state = run(state, Sending(rebalancing("r1", due(state))), Traded("r1", D("0.02")))
    assert due(state) == Rebalance(2, Venue.BUYER, Side.SELL, D("0.03"))
    state = run(state, Sending(rebalancing("r2", due(state))), Traded("r2", D("0.03")))
    assert state.phase is Phase.SETTLED


def test_rebalancing_halts_once_its_attempts_are_spent() -> None:
    state = run(legs(attempts=2), Traded("b", AMOUNT), Traded("s", D(0)))
    for n in (1, 2):
        state = run(state, Sending(rebalancing(f"r{n}", due(state))), Traded(f"r{n}", D(0)))
    assert state.phase is Phase.HALTED_IMBALANCE
    assert state.imbalance == AMOUNT


def test_a_rebalance_refused_under_the_minimum_leaves_a_residual() -> None:
    state = run(legs(), Traded("b", AMOUNT), Traded("s", D("0.04995")))
    state = state.apply(NotSent(1, "amount rounds to zero", "amount_zero"))
    assert state.phase is Phase.RESIDUAL
    assert state.imbalance == D("0.00005")


def test_a_rebalance_refused_for_another_rule_halts() -> None:
    state = run(legs(), Traded("b", AMOUNT), Traded("s", D(0)))
    state = state.apply(NotSent(1, "over the maximum", "max_amount"))
    assert state.phase is Phase.HALTED_IMBALANCE


def test_a_rebalance_that_failed_before_sending_spends_an_attempt() -> None:
    state = run(legs(), Traded("b", AMOUNT), Traded("s", D(0)), NotSent(1, "KeyError: book"))
    assert due(state).attempt == 2


def test_an_interruption_with_an_order_in_flight_halts_with_it_unknown() -> None:
    state = run(legs(), Traded("b", AMOUNT), Interrupted("stopped"))
    assert state.phase is Phase.HALTED_UNKNOWN
    (unknown,) = state.unknown
    assert (unknown.client_order_id, unknown.doubt) == ("s", "stopped")
    assert state.exposure == (D(0), AMOUNT)


def test_an_interruption_between_rebalancing_orders_halts_on_the_imbalance() -> None:
    state = run(legs(), Traded("b", AMOUNT), Traded("s", D(0)), Interrupted("stopped"))
    assert state.phase is Phase.HALTED_IMBALANCE
    assert state.stop == "stopped"


def test_a_fill_over_the_orders_amount_is_refused() -> None:
    with pytest.raises(SettlementError, match=r"filled 0\.06"):
        legs().apply(Traded("b", D("0.06")))


def test_an_answer_for_an_order_not_in_flight_is_refused() -> None:
    state = legs().apply(Traded("b", AMOUNT))
    with pytest.raises(SettlementError, match="not in flight"):
        state.apply(Traded("b", AMOUNT))


def test_a_rebalancing_order_that_is_not_the_one_due_is_refused() -> None:
    state = run(legs(), Traded("b", AMOUNT), Traded("s", D(0)))
    wrong = Order("r1", Role.REBALANCE, Venue.SELLER, Side.SELL, AMOUNT, None, attempt=1)
    with pytest.raises(SettlementError, match="not the rebalancing order due"):
        state.apply(Sending(wrong))


def test_events_after_the_end_are_refused() -> None:
    state = run(legs(), Traded("b", AMOUNT), Traded("s", AMOUNT))
    with pytest.raises(SettlementError, match="over"):
        state.apply(Absent("s"))


def test_start_refuses_legs_that_are_not_a_buy_and_a_sell() -> None:
    buy = Order("b", Role.BUY, Venue.BUYER, Side.BUY, AMOUNT, None)
    with pytest.raises(SettlementError, match="a buy on the buyer"):
        Settlement.start(buy, buy, Policy.UNWIND, 3)


# -- every path ----------------------------------------------------------------------------

fills = st.sampled_from([D(0), D("0.01"), D("0.02"), D("0.04995"), AMOUNT])
codes = st.sampled_from([None, "amount_zero", "min_amount", "min_notional", "max_amount"])


class SettlementPaths(RuleBasedStateMachine):
    """Random valid events in any order; the invariants hold in every reachable state."""

    state: Settlement

    @initialize(policy=st.sampled_from(list(Policy)), attempts=st.integers(1, 4))
    def start(self, policy: Policy, attempts: int) -> None:
        self.state = legs(attempts, policy)
        self.ids = itertools.count(1)

    def _open(self, fate: Fate) -> list[Order]:
        return [o for o in self.state.orders if o.fate is fate]

    def _apply(self, event: Event) -> None:
        before = self.state
        self.state = before.apply(event)
        if isinstance(event, Sending):
            assert before.actions() == (Rebalance(event.order.attempt, event.order.venue,
                                                  event.order.side, before.imbalance.copy_abs()),)

    @precondition(lambda self: any(o.fate is Fate.IN_FLIGHT for o in self.state.orders))
    @rule(data=st.data())
    def an_order_in_flight_answers(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self._open(Fate.IN_FLIGHT)))
        event = data.draw(st.one_of(
            fills.filter(lambda f: f <= order.amount).map(
                lambda f: Traded(order.client_order_id, f)),
            st.booleans().map(lambda refused: Raised(order.client_order_id, "error", refused)),
        ))
        self._apply(event)

    @precondition(lambda self: any(o.fate is Fate.IN_DOUBT for o in self.state.orders))
    @rule(data=st.data())
    def an_order_in_doubt_is_looked_up(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self._open(Fate.IN_DOUBT)))
        key = order.client_order_id
        event = data.draw(st.one_of(
            fills.filter(lambda f: f <= order.amount).map(lambda f: Found(key, f)),
            st.just(Absent(key)),
            st.booleans().map(lambda final: LookupFailed(key, "lookup error", final)),
        ))
        self._apply(event)

    @precondition(lambda self: any(isinstance(a, Rebalance) for a in self.state.actions()))
    @rule(data=st.data())
    def the_due_rebalancing_order_is_sent(self, data: st.DataObject) -> None:
        (action,) = self.state.actions()
        assert isinstance(action, Rebalance)
        amount = data.draw(st.sampled_from(
            sorted({action.amount, min(action.amount, D("0.01"))})))
        self._apply(Sending(rebalancing(f"r{next(self.ids)}", action, amount)))

    @precondition(lambda self: any(isinstance(a, Rebalance) for a in self.state.actions()))
    @rule(code=codes)
    def the_due_rebalancing_order_is_not_sent(self, code: str | None) -> None:
        (action,) = self.state.actions()
        assert isinstance(action, Rebalance)
        self._apply(NotSent(action.attempt, "not sent", code))

    @rule()
    def the_service_is_interrupted(self) -> None:
        was_terminal = self.state.terminal
        before = self.state
        self._apply(Interrupted("stopped"))
        assert self.state.terminal
        if was_terminal:
            assert self.state == before

    @rule(data=st.data())
    def an_event_that_does_not_fit_is_refused_and_changes_nothing(
        self, data: st.DataObject
    ) -> None:
        order = data.draw(st.sampled_from(self.state.orders))
        key = order.client_order_id
        wrong: list[Event] = [Traded("nobody", D(0)), NotSent(99, "late")]
        if order.fate is not Fate.IN_FLIGHT:
            wrong += [Traded(key, D(0)), Raised(key, "late", False)]
        if order.fate is not Fate.IN_DOUBT:
            wrong += [Found(key, D(0)), Absent(key), LookupFailed(key, "late", False)]
        wrong.append(Sending(Order(key, Role.REBALANCE, Venue.BUYER, Side.SELL, AMOUNT, None,
                                   attempt=self.state.attempt)))
        before = self.state
        with pytest.raises(SettlementError):
            before.apply(data.draw(st.sampled_from(wrong)))
        assert self.state == before

    @invariant()
    def nothing_is_rebalanced_while_an_outcome_is_open_or_unknown(self) -> None:
        if any(isinstance(a, Rebalance) for a in self.state.actions()):
            assert all(o.fate not in OPEN and o.fate is not Fate.UNKNOWN
                       for o in self.state.orders)

    @invariant()
    def an_unknown_order_always_halts_and_only_it_halts_as_unknown(self) -> None:
        unknown = bool(self.state.unknown)
        if not any(o.fate in OPEN for o in self.state.orders) or self.state.terminal:
            assert unknown == (self.state.phase is Phase.HALTED_UNKNOWN)

    @invariant()
    def settled_means_flat_exactly(self) -> None:
        if self.state.phase is Phase.SETTLED:
            assert self.state.imbalance == 0

    @invariant()
    def a_terminal_state_asks_for_nothing_and_a_live_one_always_waits_on_something(
        self,
    ) -> None:
        if self.state.phase in TERMINAL:
            assert self.state.actions() == ()
        else:
            assert self.state.actions() or any(
                o.fate is Fate.IN_FLIGHT for o in self.state.orders)

    @invariant()
    def attempts_and_lookups_are_bounded(self) -> None:
        assert len(self.state.rebalancing_orders) <= self.state.attempts
        assert self.state.attempt <= self.state.attempts
        assert all(o.lookups <= self.state.attempts for o in self.state.orders)

    @invariant()
    def the_figures_are_the_known_fills_exactly(self) -> None:
        known = [o for o in self.state.orders if o.fate is Fate.FILLED]
        bought = sum((Fraction(o.filled) for o in known if o.side is Side.BUY), Fraction(0))
        sold = sum((Fraction(o.filled) for o in known if o.side is Side.SELL), Fraction(0))
        assert Fraction(self.state.imbalance) == bought - sold
        low, high = self.state.exposure
        assert low <= self.state.imbalance <= high

    @invariant()
    def rebalancing_always_shrinks_the_imbalance_toward_zero(self) -> None:
        for action in self.state.actions():
            if isinstance(action, Rebalance):
                imbalance = self.state.imbalance
                assert action.amount == imbalance.copy_abs() > 0
                assert action.side is (Side.SELL if imbalance > 0 else Side.BUY)
                where_traded = Venue.BUYER if imbalance > 0 else Venue.SELLER
                unwind = self.state.policy is Policy.UNWIND
                other = Venue.SELLER if where_traded is Venue.BUYER else Venue.BUYER
                assert action.venue is (where_traded if unwind else other)


TestSettlementPaths = SettlementPaths.TestCase
TestSettlementPaths.settings = settings(max_examples=150, stateful_step_count=25,
                                        deadline=None)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), attempts=st.integers(1, 4), policy=st.sampled_from(list(Policy)))
def test_every_run_of_valid_events_ends_within_a_bounded_number_of_steps(
    data: st.DataObject, attempts: int, policy: Policy
) -> None:
    state = legs(attempts, policy)
    # 2 legs answer, each looked up `attempts` times; then per rebalancing attempt: one
    # order sent, its answer, `attempts` lookups.
    bound = 2 * (1 + attempts) + attempts * (2 + attempts)
    ids = itertools.count(1)
    for _ in range(bound):
        if state.terminal:
            break
        actions = state.actions()
        events: list[Event] = []
        for order in state.orders:
            key = order.client_order_id
            if order.fate is Fate.IN_FLIGHT:
                filled = data.draw(st.sampled_from(
                    [f for f in (D(0), D("0.01"), D("0.02"), D("0.04995"), AMOUNT)
                     if f <= order.amount]))
                events += [Traded(key, filled), Raised(key, "e", data.draw(st.booleans()))]
            elif order.fate is Fate.IN_DOUBT:
                events += [Found(key, D(0)), Absent(key),
                           LookupFailed(key, "e", data.draw(st.booleans()))]
        for action in actions:
            if isinstance(action, Rebalance):
                events += [Sending(rebalancing(f"r{next(ids)}", action)),
                           NotSent(action.attempt, "e", data.draw(codes))]
        state = state.apply(data.draw(st.sampled_from(events)))
    assert state.terminal
