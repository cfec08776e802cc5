"""The book: many mandates checked against each other, each conflict a located finding.

One mandate can be valid on its own and still wrong beside another: two mandates that
hold the same thing (an account's market, a client-order-id prefix, a name) or that
together spend more of a shared budget (an API key's request rate) than it has. The core
knows nothing of accounts or rates. A component *declares* what it holds, like its
semantic checks, as names of functions in light modules::

    class MarketMaking(TickService[MarketMakingArgs]):
        book_claims = ("plugins._book:quoting",)

A claim function is ``claims(node, view) -> Iterable[Claim]``; it runs in the same pass as
the semantic checks, over the mandate's valid components (a component whose only fault is
an unset ``!env`` variable counts, with a stand-in value: CI has no production secrets,
and :meth:`Node.identity` still tells one variable from another). Each claim is located
at the arg to change, then the file's report keeps it (:class:`Held`), so checking a book
of thousands of mandates keeps claims, not documents.

:func:`conflicts` groups the claims of every mandate by ``(kind, key)``:

- an *exclusive* claim (no ``use``) held by two or more mandates is a finding at each of
  them, naming where the others hold it;
- a *budget* claim (``use`` of ``limit``) held by two or more mandates whose uses add up
  to more than the smallest limit any of them states is a finding at each, with each
  mandate's share. One mandate alone is not the book's business: its client spaces its
  own requests.

Claims of one mandate never conflict with each other (its components share its account
by design). A claim function that raises is a finding naming it, never a traceback.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fortuna._internal.checks import Node, View, load_check
from fortuna._internal.findings import ERROR, Finding, Position, Severity

__all__ = ["Claim", "Held", "conflicts", "declared_claims", "run_claims"]

MAX_OTHERS = 3
"""Other mandates a finding names before it says how many more there are."""


@dataclass(frozen=True, slots=True)
class Claim:
    """Something a mandate holds that others of the book must not, or a share of a budget.

    ``kind`` says what sort of thing (claims conflict only within a kind), ``key`` which
    one (equal keys conflict; never put a secret in it: use :meth:`Node.identity`), and
    ``label`` names it in findings. ``why`` says what goes wrong when two mandates hold it.
    With ``use`` and ``limit`` the claim is a share of a budget (``unit`` per mandate) and
    conflicts only when the shares exceed the limit. ``path`` is the arg to change, inside
    the args of ``component`` (the declaring one when None).
    """

    kind: str
    key: Hashable
    label: str
    why: str = ""
    path: tuple[str | int, ...] = ()
    component: str | None = None
    use: float | None = None
    limit: float | None = None
    unit: str = ""
    severity: Severity = ERROR


@dataclass(frozen=True, slots=True)
class Held:
    """A claim as the book sees it: which mandate file holds it, and where."""

    claim: Claim
    source: str
    path: str
    position: Position | None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.position}" if self.position else self.source


_DECLARED: dict[type[Any], tuple[str, ...]] = {}


def declared_claims(cls: type[Any]) -> tuple[str, ...]:
    """The claim functions a component class declares (its own and its bases'), read once
    per class."""
    known = _DECLARED.get(cls)
    if known is not None:
        return known
    specs: dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        found = klass.__dict__.get("book_claims", ())
        if isinstance(found, tuple | list):
            specs.update((spec, None) for spec in found if isinstance(spec, str))
    _DECLARED[cls] = tuple(specs)
    return _DECLARED[cls]


def run_claims(view: View) -> Iterator[tuple[Node, Claim | str]]:
    """Every claim of every node, with the node; a failing function yields its error."""
    for node in view.nodes.values():
        for spec in declared_claims(node.cls):
            try:
                function: Any = load_check(spec)  # a claim function: (node, view) -> claims
                claims = list(function(node, view))
            except Exception as exc:  # a bug in a plugin's function, or a wrong name
                yield node, f"book claims {spec} failed: {type(exc).__name__}: {exc}"
                continue
            for claim in claims:
                if isinstance(claim, Claim):
                    yield node, claim


def _others(held: Held, group: dict[str, list[Held]], show: Any = None) -> str:
    """The other mandates of ``group`` as a finding names them, at most MAX_OTHERS."""
    others = [items[0] for source, items in group.items() if source != held.source]
    shown = [o.where + (f" ({show(o)})" if show else "") for o in others[:MAX_OTHERS]]
    more = len(others) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def _number(value: float) -> str:
    return f"{value:.4g}"


def conflicts(held: Iterable[Held]) -> list[Finding]:
    """Every conflict between mandates of the book, one finding per mandate involved,
    in file and position order."""
    groups: dict[tuple[str, Hashable], dict[str, list[Held]]] = {}
    for item in held:
        by_source = groups.setdefault((item.claim.kind, item.claim.key), {})
        items = by_source.setdefault(item.source, [])
        if all(other.position != item.position or other.path != item.path for other in items):
            items.append(item)
    findings: list[Finding] = []
    for (kind, _), group in groups.items():
        if len(group) < 2:
            continue
        budget = [i for items in group.values() for i in items if i.claim.use is not None]
        if budget:
            findings.extend(_over_budget(kind, group))
            continue
        for items in group.values():
            for item in items:
                claim = item.claim
                why = f": {claim.why}" if claim.why else ""
                message = f"{claim.label} is also held by {_others(item, group)} ({kind}){why}"
                findings.append(Finding(item.source, item.path, message, item.position,
                                        claim.severity))
    findings.sort(key=lambda f: (f.source, f.position or Position(0, 0), f.path, f.message))
    return findings


def _over_budget(kind: str, group: dict[str, list[Held]]) -> Iterator[Finding]:
    uses = {source: sum(i.claim.use or 0.0 for i in items) for source, items in group.items()}
    limits = [i.claim.limit for items in group.values() for i in items
              if i.claim.limit is not None]
    if not limits:
        return
    limit = min(limits)
    total = sum(uses.values())
    if total <= limit:
        return
    for source, items in group.items():
        item = items[0]
        claim = item.claim
        unit = f" {claim.unit}" if claim.unit else ""
        why = f": {claim.why}" if claim.why else ""
        message = (
            f"{claim.label}: {kind}: the {len(group)} mandates sharing it use "
            f"{_number(total)}{unit} together, over its limit of {_number(limit)}{unit} "
            f"(this one {_number(uses[source])}; "
            f"{_others(item, group, lambda o: _number(uses[o.source]))}){why}")
        yield Finding(source, item.path, message, item.position, claim.severity)
