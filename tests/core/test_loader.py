"""The YAML loader: safe, exact, located, and bounded against hostile input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fortuna._internal.loader import Limits, LoadFailed, load_text
from fortuna._internal.plan import MissingEnv


def load(text: str, **kwargs: object) -> object:
    return load_text(text, "m.yaml", env={}, **kwargs).data  # type: ignore[arg-type]


def failure(text: str, **kwargs: object) -> str:
    with pytest.raises(LoadFailed) as caught:
        load_text(text, "m.yaml", env={}, **kwargs)  # type: ignore[arg-type]
    return str(caught.value)


def test_yaml_float_becomes_decimal_from_its_source_text() -> None:
    assert load("a: 0.1") == {"a": Decimal("0.1")}
    assert str(load("a: 0.30000000000000000001")["a"]) == "0.30000000000000000001"  # type: ignore[index]


def test_decimal_tag_parses_exactly() -> None:
    assert load('a: !decimal "1e-18"') == {"a": Decimal("1e-18")}


def test_decimal_tag_refuses_text_that_is_not_a_number() -> None:
    assert "m.yaml:1:4: a: 'abc' is not a decimal number" in failure("a: !decimal abc")


def test_plain_scalars_follow_yaml_1_2_core_schema() -> None:
    data = load("a: [yes, on, no, true, False, ~, null, 12, 0x1f, 1_000]")
    assert data == {"a": ["yes", "on", "no", True, False, None, None, 12, 31, 1000]}


def test_quoted_number_stays_a_string() -> None:
    assert load("a: '0.1'") == {"a": "0.1"}


def test_nan_and_infinity_are_refused() -> None:
    assert "not a finite number" in failure("a: .nan")
    assert "not a finite number" in failure("a: -.inf")


def test_env_reads_the_variable_into_the_value() -> None:
    doc = load_text("k: !env API_KEY", "m.yaml", env={"API_KEY": "s3cret"})
    assert doc.data == {"k": "s3cret"}


def test_env_default_is_used_when_the_variable_is_unset() -> None:
    assert load("k: !env [MISSING_VAR, 2.5]") == {"k": Decimal("2.5")}


def test_unset_env_without_default_is_a_located_marker_not_an_error() -> None:
    value = load("k: !env MISSING_VAR")["k"]  # type: ignore[index]
    assert isinstance(value, MissingEnv)
    assert value.variable == "MISSING_VAR"
    assert (value.position.line, value.position.column) == (1, 4)  # type: ignore[union-attr]


def test_env_with_a_bad_shape_is_refused() -> None:
    assert "!env takes a variable name" in failure("k: !env [A, b, c]")
    assert "!env takes a variable name" in failure("k: !env {a: 1}")


def test_python_object_tags_are_refused() -> None:
    message = failure("x: !!python/object/apply:os.system ['echo hi']")
    assert "the tag !!python/object/apply:os.system is not allowed" in message


def test_unknown_custom_tags_are_refused() -> None:
    assert "the tag !money is not allowed" in failure("x: !money 5")


def test_duplicate_keys_are_refused_with_both_positions() -> None:
    message = failure("a: 1\nb: 2\na: 3")
    assert message == "m.yaml:3:1: a: duplicate key 'a' (first at 1:1)"


def test_merge_keys_merge_and_explicit_keys_win() -> None:
    data = load("base: &b {x: 1, y: 2}\nm: {<<: *b, y: 3}")
    assert data["m"] == {"x": 1, "y": 3}  # type: ignore[index]


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    assert "aliases expand past" in failure("\n".join(lines))


def test_self_referencing_alias_is_refused() -> None:
    assert "refers to itself" in failure("a: &a [1, *a]")


def test_deep_nesting_is_refused_past_the_limit() -> None:
    assert "nesting deeper than 64 levels" in failure("a: " + "[" * 100)


def test_absurd_nesting_is_a_located_error_not_a_crash() -> None:
    assert failure("a: " + "[" * 100_000).startswith("m.yaml:1:")


def test_oversize_document_is_refused() -> None:
    assert "larger than 100 bytes" in failure("a: " + "x" * 200, limits=Limits(max_bytes=100))


def test_syntax_error_is_located() -> None:
    assert failure("a: [1, 2").startswith("m.yaml:2:1: YAML syntax:")


def test_several_documents_are_refused() -> None:
    assert "holds one YAML document" in failure("a: 1\n---\nb: 2")


def test_empty_file_is_refused() -> None:
    assert "the file is empty" in failure("")


def test_positions_are_recorded_for_values_and_keys() -> None:
    doc = load_text("a:\n  b: [1, 2]\n", "m.yaml", env={})
    assert str(doc.positions[("a", "b", 1)]) == "2:10"
    assert str(doc.keys[("a", "b")]) == "2:3"
    assert str(doc.locate(("a", "b", 7, "deeper"))) == "2:6"
