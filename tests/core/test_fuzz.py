"""Fuzzing: YAML-aware mutations of every config give a finding or a result, never an error.

Each example composes a config into YAML nodes, mutates a few of them the way a hostile or
careless author would (a hostile scalar, a foreign tag, a dropped or duplicated key, a
mapping where a scalar belongs, an alias), serialises the tree back to YAML and validates
it with the real catalog. The examples are few per config so the suite stays fast; what
the fuzzer found lives on in ``corpus/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fortuna import Registry, validate
from fortuna._internal.findings import MAX_MESSAGE
from fortuna._internal.loader import LoadFailed, load_text

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs").rglob("*.yaml"))

HOSTILE_SCALARS = [
    "0x_", "0o_", "0x", "1e999999", "-1e999999", "1e-999999", "7" * 5000, "0x" + "f" * 5000,
    "1" + "0" * 400, "1e400", ".nan", "-.inf", "~", "", "@", "@@", "@missing", "@@x",
    "-0", "0.000000000000000000000000000000000000000000001", "1_000", "1__0", "_1",
    "1" * 45, "99999999999999999999999999999999999999999.5", "1" + "0" * 400 + "s", "5ms",
    "-5s", "1e9999d", "true", "yes", "null", "x" * 3000, "@" + "x" * 3000, "\u0661\u0662",
]
TAGS = ["!", "!decimal", "!env", "!!int", "!!float", "!!bool", "!!str", "!!null",
        "!!python/object", "!unknown", "tag:yaml.org,2002:binary"]
_RESOLVER = yaml.resolver.Resolver()


def _nodes(root: yaml.Node) -> list[yaml.Node]:
    found: list[yaml.Node] = []
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue  # an alias mutation may have made the tree a graph, even a cycle
        seen.add(id(node))
        found.append(node)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                pending.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
    return found


def _plain(value: str) -> yaml.ScalarNode:
    return yaml.ScalarNode(_resolved(value), value)


def _resolved(value: str) -> str:
    """The tag YAML gives ``value`` written plain (so it serialises without a tag)."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag


def mutate(root: yaml.Node, data: st.DataObject) -> None:
    """Apply one mutation, chosen by ``data``, somewhere in the tree."""
    nodes = _nodes(root)
    node = data.draw(st.sampled_from(nodes))
    kind = data.draw(st.sampled_from(
        ["scalar", "text", "tag", "drop", "duplicate", "mapping", "sequence", "alias"]))
    if isinstance(node, yaml.ScalarNode) and kind in ("scalar", "text", "tag"):
        if kind == "scalar":
            node.value = data.draw(st.sampled_from(HOSTILE_SCALARS))
        elif kind == "text":
            node.value = data.draw(st.text(max_size=40))
        node.tag = (data.draw(st.sampled_from(TAGS)) if kind == "tag" else
                    _resolved(node.value))
        node.style = None if kind != "text" else '"'
    elif isinstance(node, yaml.MappingNode) and node.value and kind in ("drop", "duplicate"):
        index = data.draw(st.integers(0, len(node.value) - 1))
        if kind == "drop":
            del node.value[index]
        else:
            node.value.insert(index, node.value[index])
    elif isinstance(node, yaml.MappingNode | yaml.SequenceNode) and kind == "tag":
        node.tag = data.draw(st.sampled_from(TAGS))
    elif isinstance(node, yaml.MappingNode) and node.value:
        index = data.draw(st.integers(0, len(node.value) - 1))
        key, _ = node.value[index]
        replacement: yaml.Node = (
            yaml.MappingNode("tag:yaml.org,2002:map", [(_plain("a"), _plain("1"))])
            if kind == "mapping" else
            yaml.SequenceNode("tag:yaml.org,2002:seq", [_plain("@x"), _plain("1")])
            if kind == "sequence" else
            data.draw(st.sampled_from(nodes))  # the same node twice: an anchor and alias
        )
        node.value[index] = (key, replacement)


def outcome(text: str, registry: Registry) -> list[str]:
    try:
        document = load_text(text, "fuzzed.yaml", env={})
    except LoadFailed as exc:
        return [str(exc.finding)]
    report = validate(document, registry=registry)
    assert report.findings or report.plan is not None
    return [str(finding) for finding in report.findings]


@pytest.mark.parametrize("config", CONFIGS, ids=[p.stem for p in CONFIGS])
@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_config_gets_a_finding_or_a_plan_never_an_exception(
    config: Path, data: st.DataObject
) -> None:
    root = yaml.compose(config.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert root is not None
    for _ in range(data.draw(st.integers(1, 3))):
        mutate(root, data)
    try:
        text = yaml.serialize(root, Dumper=yaml.SafeDumper)
    except yaml.YAMLError:
        return  # a mutation PyYAML itself cannot write out (a key that is a mapping, ...)
    findings = outcome(text, Registry.default())
    assert all(len(finding) < 2 * MAX_MESSAGE for finding in findings)


def test_every_config_is_fuzzed() -> None:
    assert len(CONFIGS) >= 10
