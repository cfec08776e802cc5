"""The rule the switches with two optional limits share: at least one of them is given.

A switch whose args declare two limits, each optional (a loss from the peak and one since
the start; an error rate and a latency), would never trip with neither: the args refuse
that, in one wording, by the names the subclass lists in ``either_limit``.
"""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import model_validator

from fortuna import ComponentArgs

__all__ = ["EitherLimitArgs"]


class EitherLimitArgs(ComponentArgs):
    """Args with two optional limits, named by ``either_limit``: give one or both."""

    either_limit: ClassVar[tuple[str, str]]

    @model_validator(mode="after")
    def _some_limit(self) -> Self:
        first, second = self.either_limit
        if getattr(self, first) is None and getattr(self, second) is None:
            raise ValueError(f"give {first}, {second} or both")
        return self
