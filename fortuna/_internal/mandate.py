"""A mandate as data: read from a file or built in Python, validated the same way.

A :class:`Mandate` wraps the parsed document (plain data and the position of every value)
and checks nothing by itself: :func:`fortuna.validate` does, in one pass, for files and
Python-built mandates alike, so both get the same findings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fortuna._internal.findings import MandateError
from fortuna._internal.loader import Document, LoadFailed, UsageFailed, load_file, load_text

__all__ = ["ComponentSpec", "Mandate", "load_mandate"]


@dataclass(frozen=True)
class ComponentSpec:
    """One entry of ``components``: the catalog id and its args."""

    id: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "args": dict(self.args)} if self.args else {"id": self.id}


class Mandate:
    """A whole mandate: ``service``, ``vars`` and ``components``, as in a mandate file.

    ``Mandate(service="@mm", components={"sim": ComponentSpec("exchanges.sim")})`` builds
    one in Python; references are the same ``"@name"`` strings a file uses.
    """

    def __init__(
        self,
        service: str,
        components: Mapping[str, ComponentSpec | Mapping[str, Any]],
        vars: Mapping[str, Any] | None = None,
        *,
        source: str = "<python>",
    ) -> None:
        data: dict[str, Any] = {"service": service}
        if vars:
            data["vars"] = dict(vars)
        data["components"] = {
            name: spec.as_dict() if isinstance(spec, ComponentSpec) else dict(spec)
            for name, spec in components.items()
        }
        self.document = Document(source, data)

    @classmethod
    def from_document(cls, document: Document) -> Mandate:
        mandate = cls.__new__(cls)
        mandate.document = document
        return mandate

    @classmethod
    def from_dict(cls, data: Any, source: str = "<python>") -> Mandate:
        """Wrap already-parsed data (any shape: validation reports what is wrong)."""
        return cls.from_document(Document(source, data))

    @classmethod
    def from_yaml(
        cls, text: str, source: str = "<string>", *, env: Mapping[str, str] | None = None
    ) -> Mandate:
        """Parse mandate YAML; a syntax error raises :class:`MandateError`."""
        try:
            return cls.from_document(load_text(text, source, env=env))
        except LoadFailed as exc:
            raise MandateError([exc.finding]) from None

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], *, env: Mapping[str, str] | None = None
    ) -> Mandate:
        """Read a mandate file. Unreadable files raise ``OSError``, bad YAML ``MandateError``."""
        try:
            return cls.from_document(load_file(os.fspath(path), env=env))
        except LoadFailed as exc:
            raise MandateError([exc.finding]) from None
        except UsageFailed as exc:
            raise OSError(str(exc)) from None

    @property
    def source(self) -> str:
        return self.document.source

    @property
    def data(self) -> Any:
        return self.document.data

    @property
    def service(self) -> Any:
        """The ``service`` as written (``"@mm"``), or None when the mandate has none."""
        data = self.document.data
        return data.get("service") if isinstance(data, dict) else None

    @property
    def vars(self) -> dict[str, Any]:
        """The ``vars`` as written (a copy; an absent or malformed section is empty)."""
        data = self.document.data
        found = data.get("vars") if isinstance(data, dict) else None
        return dict(found) if isinstance(found, dict) else {}

    @property
    def components(self) -> dict[str, ComponentSpec]:
        """Each well-formed entry of ``components`` (a mapping with a text ``id``) as a
        :class:`ComponentSpec`; validation reports the others."""
        data = self.document.data
        found = data.get("components") if isinstance(data, dict) else None
        specs: dict[str, ComponentSpec] = {}
        for name, spec in (found.items() if isinstance(found, dict) else ()):
            if isinstance(spec, dict) and isinstance(spec.get("id"), str):
                args = spec.get("args")
                specs[str(name)] = ComponentSpec(spec["id"], dict(args) if isinstance(
                    args, dict) else {})
        return specs

    def __repr__(self) -> str:
        return f"<Mandate {self.source}>"


def load_mandate(
    path: str | os.PathLike[str], *, env: Mapping[str, str] | None = None
) -> Mandate:
    """Read a mandate file (see :meth:`Mandate.from_file`)."""
    return Mandate.from_file(path, env=env)
