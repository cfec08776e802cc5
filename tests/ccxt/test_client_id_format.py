"""Each venue's client-id format: ids a mandate issues are ones the venue takes, and a
mandate recognises exactly its own."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugins.exchanges.ccxt.component import CcxtExchange
from plugins.exchanges.ccxt.venues import TUNED
from schemas import ClientIdFormat, Exchange

RUN = 1_700_000_000_000
OKX = TUNED["okx"].client_id_format
KRAKEN = TUNED["kraken"].client_id_format
FORMATS = {"generic": CcxtExchange.client_id_format, "okx": OKX, "kraken": KRAKEN,
           "gate": TUNED["gate"].client_id_format, "default": Exchange.client_id_format}


def digits36(number: int) -> int:
    count = 1
    while number >= 36:
        number //= 36
        count += 1
    return count


MANDATE = st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True)


@pytest.mark.parametrize("venue", sorted(FORMATS))
@given(prefix=MANDATE, sequence=st.integers(min_value=1, max_value=10**12))
def test_an_issued_id_is_one_the_venue_takes_and_the_mandate_owns(
    venue: str, prefix: str, sequence: int
) -> None:
    form = FORMATS[venue]
    if len(prefix) + 2 + 4 + digits36(sequence) > form.max_length:  # cannot fit: said so
        with pytest.raises(ValueError, match="do not fit"):
            form.issue(prefix, RUN, sequence)
        return
    issued = form.issue(prefix, RUN, sequence)
    assert form.refusal(issued) is None
    assert form.owns(prefix, issued)


@pytest.mark.parametrize("venue", sorted(FORMATS))
@given(prefix=MANDATE, other=MANDATE)
def test_a_mandate_never_owns_another_mandates_ids(venue: str, prefix: str, other: str) -> None:
    form = FORMATS[venue]
    if other != prefix:
        assert not form.owns(prefix, form.issue(other, RUN, 7))


def test_ids_of_one_run_are_distinct() -> None:
    issued = {KRAKEN.issue("mm1", RUN, n) for n in range(1, 5000)}
    assert len(issued) == 4999


def test_okx_ids_are_letters_and_digits_separated_by_an_upper_case_letter() -> None:
    issued = OKX.issue("mm1", RUN, 1)
    assert issued.isalnum()
    assert issued.startswith("mm1Z")
    assert OKX.owns("mm1", issued)
    assert not OKX.owns("mm", issued)


def test_kraken_ids_fit_eighteen_characters_by_shortening_the_run_token() -> None:
    issued = KRAKEN.issue("mandate", RUN, 36**4)
    assert len(issued) == 18
    assert KRAKEN.owns("mandate", issued)


def test_a_prefix_too_long_for_the_venue_is_refused_with_the_limit() -> None:
    with pytest.raises(ValueError, match="do not fit the 18 characters kraken takes"):
        KRAKEN.issue("a_long_mandate", RUN, 1, "kraken")


def test_a_prefix_with_characters_the_venue_refuses_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="okx takes only letters and digits"):
        OKX.issue("mm_1", RUN, 1, "okx")


def test_an_earlier_runs_ids_are_still_the_mandates_own() -> None:
    assert Exchange.client_id_format.owns("mm", "mm-old-1")
    assert not Exchange.client_id_format.owns("mm", "other-1")
    assert not Exchange.client_id_format.owns("mm", None)


@pytest.mark.parametrize("separator", ["", "ab", "a", "7", "_"])
def test_a_separator_that_could_not_delimit_is_refused(separator: str) -> None:
    with pytest.raises(ValueError, match="separator"):
        ClientIdFormat(characters="A-Za-z0-9", separator=separator)


def test_a_format_without_digits_and_lower_case_letters_is_refused() -> None:
    with pytest.raises(ValueError, match="digits and lower-case letters"):
        ClientIdFormat(characters="A-Z-", separator="-")


@given(st.one_of(st.integers(0, 5000), st.integers(0, 36**12),
                 st.sampled_from([36**k + d for k in range(1, 12) for d in (-1, 0, 1)])))
def test_an_ids_sequence_is_its_order_number_in_base_36_without_leading_zeros(
    sequence: int,
) -> None:
    issued = ClientIdFormat().issue("mm", RUN, sequence)
    tail = issued.rsplit("-", 1)[1]
    assert int(tail, 36) == sequence
    assert tail == "0" or not tail.startswith("0")
    assert tail == tail.lower()


def test_one_format_issues_the_ids_of_many_runs_and_prefixes_alike() -> None:
    # Stems are remembered per (prefix, run, venue), a bounded number of them.
    shared, fresh = ClientIdFormat(), ClientIdFormat
    for run in range(200):
        for prefix in ("a", "b"):
            assert shared.issue(prefix, RUN + run, 7) == fresh().issue(prefix, RUN + run, 7)
