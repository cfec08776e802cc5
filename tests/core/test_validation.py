"""Whole-graph validation: every problem at once, each located and explained."""

from __future__ import annotations

from decimal import Decimal
from textwrap import dedent

import pytest

from fortuna import ComponentSpec, Mandate, MandateError, validate
from fortuna._internal.plan import Ref
from fortuna._internal.validation import Report, plan_for
from tests.core.catalog_fixture import registry

VALID = """\
service: "@bot"
vars:
  size: 0.5
components:
  venue: {id: test.venue}
  price: {id: test.price, args: {venue: "@venue", symbol: BTC/USDT}}
  bot:
    id: test.bot
    args:
      venue: "@venue"
      pricing: "@price"
      amount: "@size"
"""


def check(text: str, *, for_run: bool = False, env: dict[str, str] | None = None) -> Report:
    mandate = Mandate.from_yaml(dedent(text), "m.yaml", env=env or {})
    return validate(mandate, registry=registry(), for_run=for_run)


def messages(text: str, **kwargs: object) -> list[str]:
    return [str(finding) for finding in check(text, **kwargs).findings]  # type: ignore[arg-type]


def test_valid_mandate_has_no_findings_and_a_plan() -> None:
    report = check(VALID)
    assert report.ok
    assert report.plan is not None
    assert report.plan.service == "bot"


def test_plan_orders_dependencies_first() -> None:
    plan = check(VALID).plan
    assert plan is not None
    assert list(plan.components) == ["venue", "price", "bot"]
    assert plan.components["bot"].dependencies == ("price", "venue") or set(
        plan.components["bot"].dependencies) == {"price", "venue"}


def test_var_references_are_substituted_and_component_references_kept() -> None:
    plan = check(VALID).plan
    assert plan is not None
    assert plan.components["bot"].raw_args == {
        "venue": Ref("venue"), "pricing": Ref("price"), "amount": Decimal("0.5")}


def test_double_at_is_the_literal_at_string() -> None:
    plan = check(VALID.replace('amount: "@size"', 'amount: 1\n      label: "@@handle"')).plan
    assert plan is not None
    assert plan.components["bot"].raw_args["label"] == "@handle"


def test_references_resolve_recursively_through_vars_and_lists() -> None:
    text = VALID.replace("  size: 0.5", '  size: 0.5\n  many: ["@price", "@price"]').replace(
        'amount: "@size"', 'amount: "@size"\n      extra: "@many"')
    plan = check(text).plan
    assert plan is not None
    assert plan.components["bot"].raw_args["extra"] == [Ref("price"), Ref("price")]


def test_unknown_reference_is_located_with_a_suggestion() -> None:
    found = messages(VALID.replace('pricing: "@price"', 'pricing: "@prise"'))
    assert found == ['m.yaml:11:16: components.bot.args.pricing: "@prise" is not a component '
                     'or var (did you mean "@price"?)']


def test_unknown_id_is_located_with_a_suggestion() -> None:
    found = messages(VALID.replace("id: test.venue", "id: test.venu"))
    assert found == ['m.yaml:5:15: components.venue.id: unknown component "test.venu" '
                     '(did you mean "test.venue"?)']


def test_reference_to_a_component_of_the_wrong_interface_is_refused() -> None:
    found = messages(VALID.replace('pricing: "@price"', 'pricing: "@venue"'))
    assert found == ['m.yaml:11:16: components.bot.args.pricing: "@venue" is a test.venue '
                     "component, which does not provide Pricing"]


def test_component_reference_where_a_value_belongs_is_refused() -> None:
    found = messages(VALID.replace('amount: "@size"', 'amount: "@venue"'))
    assert found == ['m.yaml:12:15: components.bot.args.amount: "@venue" is a test.venue '
                     "component, but this arg takes a value, not a component"]


def test_var_of_the_wrong_type_is_reported_at_the_reference() -> None:
    found = messages(VALID.replace("size: 0.5", "size: lots"))
    assert found == ["m.yaml:3:9: vars.size: 'lots' is not a decimal number (in var "
                     '"size", used by components.bot.args.amount); amount: order size']


def test_domain_constraint_violation_names_the_value() -> None:
    found = messages(VALID.replace("size: 0.5", "size: -1"))
    assert found == ["m.yaml:3:9: vars.size: must be above 0 (got -1) (in var \"size\", "
                     'used by components.bot.args.amount); amount: order size']


def test_unknown_arg_is_located_at_its_key_with_a_suggestion() -> None:
    found = messages(VALID.replace('amount: "@size"', 'amount: "@size"\n      amunt: 1'))
    assert found == ['m.yaml:13:7: components.bot.args.amunt: unknown arg "amunt" '
                     '(did you mean "amount"?)']


def test_missing_required_arg_is_reported_with_its_description() -> None:
    found = messages(VALID.replace('      amount: "@size"\n', ""))
    assert found == ['m.yaml:9:5: components.bot.args.amount: missing required arg "amount" '
                     "(order size)"]


def test_reference_cycle_is_printed_whole_with_positions() -> None:
    text = """\
    service: "@bot"
    vars:
      a: "@b"
      b: "@c"
      c: "@a"
    components:
      bot: {id: test.bot, args: {venue: "@a", pricing: "@a", amount: 1}}
    """
    found = messages(text)
    assert "m.yaml: reference cycle: a -> b -> c -> a (a at 3:3, b at 4:3, c at 5:3)" in found


def test_component_referencing_itself_is_a_cycle() -> None:
    found = messages(VALID.replace('venue: "@venue", symbol', 'venue: "@price", symbol'))
    assert "m.yaml: reference cycle: price -> price (price at 6:3)" in found


def test_service_must_be_a_service() -> None:
    found = messages(VALID.replace('service: "@bot"', 'service: "@venue"'))
    assert found == ['m.yaml:1:10: service: "@venue" is a test.venue component, which is not '
                     'a service and cannot run a mandate (did you mean "@bot"?)']


def test_service_must_exist() -> None:
    found = messages(VALID.replace('service: "@bot"', 'service: "@bott"'))
    assert found == ['m.yaml:1:10: service: "@bott" is not a component (did you mean "@bot"?)']


def test_every_problem_is_reported_in_one_pass() -> None:
    text = VALID.replace("id: test.venue", "id: test.venu").replace(
        'pricing: "@price"', 'pricing: "@prise"').replace("size: 0.5", "size: -2")
    assert len(check(text).findings) == 3


def test_unknown_top_level_key_is_refused_with_a_suggestion() -> None:
    found = messages(VALID + "componets: {}\n")
    assert found == ['m.yaml:13:1: componets: unknown key "componets" (did you mean '
                     '"components"?); a mandate has service, vars and components']


def test_unknown_component_key_is_refused() -> None:
    found = messages(VALID.replace("venue: {id: test.venue}", "venue: {id: test.venue, arg: {}}"))
    assert found == ['m.yaml:5:27: components.venue.arg: unknown key "arg" (did you mean '
                     '"args"?); a component has id and args']


def test_a_name_cannot_be_both_var_and_component() -> None:
    found = messages(VALID.replace("size: 0.5", "size: 0.5\n  venue: 1"))
    assert any('"venue" is both a var and a component' in f for f in found)


def test_missing_env_is_tolerated_by_validate() -> None:
    text = VALID.replace("venue: {id: test.venue}", "venue: {id: test.venue, args: "
                         "{api_key: !env VENUE_KEY}}")
    assert check(text).ok


def test_missing_env_is_an_error_for_run() -> None:
    text = VALID.replace("venue: {id: test.venue}", "venue: {id: test.venue, args: "
                         "{api_key: !env VENUE_KEY}}")
    assert messages(text, for_run=True) == [
        "m.yaml:5:43: components.venue.args.api_key: environment variable VENUE_KEY is not set"]


def test_secret_values_never_appear_in_findings() -> None:
    text = VALID.replace("venue: {id: test.venue}", "venue: {id: test.venue, args: "
                         "{api_key: [hunter2]}}")
    found = messages(text)
    assert len(found) == 1
    assert "hunter2" not in found[0]


def test_shape_errors_do_not_stop_other_checks() -> None:
    text = """\
    service: "@bot"
    components:
      bad: [1, 2]
      bot: {id: test.bot, args: {venue: "@nope", pricing: "@nope", amount: 1}}
    """
    found = messages(text)
    assert "m.yaml:3:8: components.bad: a component is a mapping with id and args" in found
    assert len([f for f in found if '"@nope" is not a component or var' in f]) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1, 2]", "m.yaml:1:1: a mandate is a mapping with service, vars and components"),
        ("components: {}", 'm.yaml:1:1: missing "service"'),
        ('service: "@x"', 'm.yaml:1:1: missing "components"'),
        ("service: 3\ncomponents: {}", "m.yaml:1:10: service: service must be a reference"),
        ('service: "@x"\ncomponents: []', "m.yaml:2:13: components: components must be a "
                                          "mapping"),
        ('service: "@x"\ncomponents: {"9bad": {id: test.venue}}',
         "m.yaml:2:14: components.9bad: '9bad' is not a valid name"),
        ('service: "@x"\ncomponents: {a: {args: {}}}', 'm.yaml:2:17: components.a: missing "id"'),
    ],
)
def test_malformed_shapes_get_located_messages(text: str, expected: str) -> None:
    assert any(found.startswith(expected) for found in messages(text)), messages(text)


def test_python_built_mandate_gets_the_same_findings() -> None:
    mandate = Mandate(
        service="@bot",
        vars={"size": Decimal("0.5")},
        components={
            "venue": ComponentSpec("test.venue"),
            "price": ComponentSpec("test.price", {"venue": "@venue", "symbol": "BTC/USDT"}),
            "bot": {"id": "test.bot", "args": {"venue": "@venue", "pricing": "@venue",
                                                "amount": "@size"}},
        },
    )
    found = [str(f) for f in validate(mandate, registry=registry()).findings]
    assert found == ['<python>: components.bot.args.pricing: "@venue" is a test.venue '
                     "component, which does not provide Pricing"]


def test_python_float_is_refused_with_a_clear_message() -> None:
    mandate = Mandate(service="@bot", components={
        "venue": ComponentSpec("test.venue"),
        "price": ComponentSpec("test.price", {"venue": "@venue", "symbol": "X/Y"}),
        "bot": ComponentSpec("test.bot", {"venue": "@venue", "pricing": "@price",
                                          "amount": 0.1})})
    (finding,) = validate(mandate, registry=registry()).findings
    assert "a float cannot carry an exact amount (0.1)" in finding.message


def test_plan_for_raises_every_finding() -> None:
    with pytest.raises(MandateError) as caught:
        plan_for(Mandate.from_yaml(VALID.replace("size: 0.5", "size: -1"), "m.yaml"),
                 registry=registry())
    assert len(caught.value.findings) == 1


def test_validating_ten_thousand_components_reports_nothing_for_a_valid_graph() -> None:
    components: dict[str, object] = {"venue": {"id": "test.venue"}}
    for i in range(10_000):
        components[f"p{i}"] = {"id": "test.price", "args": {"venue": "@venue", "symbol": "A/B"}}
    components["bot"] = {"id": "test.bot", "args": {"venue": "@venue", "pricing": "@p0",
                                                    "amount": 1, "extra": ["@p1", "@p2"]}}
    report = validate({"service": "@bot", "components": components}, registry=registry())
    assert report.ok
    assert report.plan is not None
    assert len(report.plan.components) == 10_002
