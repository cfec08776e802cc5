"""Mandates guarded by kill switches, and the switches of a running session, for the tests."""

from __future__ import annotations

from typing import Any

from schemas.risk import KillSwitch
from tests.market_making.mandates import Session, mandate

__all__ = ["guarded", "switch"]


def guarded(switches: dict[str, dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """A ladder mandate guarded by ``switches`` (component specs by name)."""
    extra = {**kwargs.pop("extra", {}), **switches}
    return mandate(extra=extra, kill_switches=[f"@{name}" for name in switches], **kwargs)


def switch(s: Session, name: str) -> KillSwitch:
    """The kill switch ``name`` of the session's graph."""
    component = s.graph[name]
    assert isinstance(component, KillSwitch)
    return component
