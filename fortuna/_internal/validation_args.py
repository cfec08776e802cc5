"""Validation stage 5: every component's args against its pydantic model, findings worded.

Args are checked with ``Placeholder`` objects standing for components; pydantic errors become
plain, located findings (unknown arg with a suggestion, missing arg with its description,
a value of the wrong kind), never echoing a secret, and a bad value written in a var is
reported once, at the var, naming its uses.
"""

from typing import Any

from pydantic import ValidationError

from fortuna._internal.component import Component
from fortuna._internal.findings import (
    cut,
    dotted,
    shown,
)
from fortuna._internal.plan import MissingEnv
from fortuna._internal.references import REFS_CONTEXT, Placeholder, Ref
from fortuna._internal.validation_report import (
    SECRET_NAME,
    Path,
    _EnvValue,
    _State,
    _Unresolvable,
    suggestion,
)
from fortuna._internal.wording import plain


class _ArgsChecks(_State):
    # --- stage 5: args ----------------------------------------------------------------

    def check_args(
        self, name: str, raw_args: Any, placeholders: dict[str, Placeholder]
    ) -> Any | None:
        """The validated args (references as placeholders), or None when invalid."""
        cls = self.classes[name]
        try:
            return cls.Args.model_validate(raw_args, context={REFS_CONTEXT: placeholders})
        except ValidationError as exc:
            self.report_args_errors(name, cls, raw_args, exc, placeholders)
            return None

    def report_args_errors(
        self,
        name: str,
        cls: type[Component[Any]],
        raw_args: Any,
        exc: ValidationError,
        placeholders: dict[str, Placeholder],
    ) -> None:
        grouped: dict[Path, list[str]] = {}
        abouts: dict[Path, str] = {}
        keyed: set[Path] = set()
        missing: set[Path] = set()
        for error in exc.errors(include_url=False):
            value = error.get("input")
            if isinstance(value, Ref):
                if value.name in placeholders:
                    error = {**error, "input": placeholders[value.name]}
                elif error["type"] != "extra_forbidden":
                    continue  # its id is unknown, already reported
            if isinstance(value, MissingEnv | _Unresolvable) and error["type"] != "extra_forbidden":
                continue  # already reported; an unknown arg is news whatever its value
            if isinstance(value, str) and value in self.document.env_values:
                error = {**error, "input": _EnvValue(self.document.env_values[value])}
            loc = self.data_path(raw_args, error["loc"])
            path: Path = ("components", name, "args", *loc)
            message = self.describe(error, cls, loc, self.ids[name])
            if error["type"] == "extra_forbidden":
                keyed.add(path)
            elif error["type"] == "missing":
                missing.add(path)
            messages = grouped.setdefault(path, [])
            if message not in messages:
                messages.append(message)
            if error["type"] not in ("extra_forbidden", "missing") and not isinstance(
                    error.get("input"), Placeholder):
                abouts.setdefault(path, _description(cls, loc))
        for path, messages in grouped.items():
            about = abouts.get(path, "")
            arg = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
            through = self.through_var(path) if path not in keyed and path not in missing else None
            if through is not None:
                uses = self.via_vars.setdefault((through, "; or ".join(messages)), [])
                uses.append((path, f"{arg}: {about}" if about else ""))
                continue
            if about:
                messages = [*messages[:-1], f"{messages[-1]}; {arg}: {about}"]
            # a missing arg has no position of its own: point at the mapping that lacks it
            self.report(path, "; or ".join(messages), key=path in keyed or path in missing,
                        at=path[:-1] if path in missing else None)

    def through_var(self, path: Path) -> Path | None:
        """Where the value at ``path`` is written when it came through vars (``"@size"``):
        the path inside the last var on the way, or None when it is written in place."""
        found: Path | None = None
        here: Any = self.document.data
        rest = list(path)
        steps = 0
        while rest and steps < 10_000:
            steps += 1
            part = rest.pop(0)
            if isinstance(here, dict) and part in here:
                here = here[part]
            elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
                here = here[part]  # a branch of its own: mypy narrows the index per branch
            else:
                return found
            while (isinstance(here, str) and here.startswith("@") and not here.startswith("@@")
                   and here[1:] in self.vars and steps < 10_000):
                steps += 1
                name = here[1:]
                found = ("vars", name, *rest)
                here = self.vars[name]
            if found is not None and found[2:] != tuple(rest):
                found = ("vars", found[1], *rest)
        return found

    def report_via_vars(self) -> None:
        """One finding per bad value written in a var, at the var, naming its uses."""
        for (path, message), uses in self.via_vars.items():
            shown_uses = ", ".join(dotted(use) for use, _ in uses[:5])
            more = f" and {len(uses) - 5} more" if len(uses) > 5 else ""
            about = next((text for _, text in uses if text), "")
            self.report(path, f'{message} (in var "{path[1]}", used by {shown_uses}{more})'
                        + (f"; {about}" if about else ""))

    @staticmethod
    def data_path(raw: Any, loc: tuple[str | int, ...]) -> Path:
        """Keep the parts of a pydantic location that exist in the data (drop union tags)."""
        path: list[str | int] = []
        here = raw
        for part in loc:
            in_dict = isinstance(here, dict) and part in here
            in_list = isinstance(here, list) and isinstance(part, int) and part < len(here)
            if in_dict or in_list:
                path.append(part)
                here = here[part]
            elif isinstance(here, dict) and isinstance(part, str) and part.isidentifier():
                path.append(part)
                here = None
        return tuple(path)

    @staticmethod
    def describe(error: Any, cls: type[Component[Any]], loc: Path, component_id: str) -> str:
        kind = error["type"]
        field_name = str(loc[-1]) if loc else ""
        arg_name = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
        if kind == "extra_forbidden":
            fields = cls.Args.model_fields if len(loc) == 1 else {}
            hint = suggestion(field_name, fields)
            accepted = ", ".join(fields) if fields and not hint else ""
            tail = f"; {component_id} takes {accepted}" if accepted else ""
            return f'unknown arg "{cut(field_name)}"{hint}{tail}'
        if kind == "missing":
            info = cls.Args.model_fields.get(field_name) if len(loc) == 1 else None
            about = f" ({info.description})" if info is not None and info.description else ""
            return f'missing required arg "{field_name}"{about}'
        value = error.get("input")
        if isinstance(value, Placeholder) and not kind.startswith("reference_"):
            return (f'"@{value.name}" is a {value.id} component, but this arg takes a value, '
                    "not a component")
        message = str(error["msg"])
        if kind.startswith("reference_"):
            return message
        message = plain(kind, message, dict(error.get("ctx") or {}))
        quoted = shown(value)
        if SECRET_NAME.search(arg_name) or quoted in message:
            return message
        return f"{message} (got {quoted})"


def _description(cls: type[Component[Any]], loc: Path) -> str:
    """The description of the field at ``loc`` of ``cls``'s args, through nested models
    and lists of them; "" when there is none."""
    model: Any = cls.Args
    description = ""
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", None)
        info = fields.get(part) if isinstance(fields, dict) else None
        if info is None:
            return ""
        description = info.description or ""
        model = _inner_model(info.annotation)
    return description


def _inner_model(annotation: Any) -> Any:
    """The pydantic model inside ``annotation`` (``Spec``, ``list[Spec]``, ``Spec | None``)."""
    pending = [annotation]
    while pending:
        item = pending.pop()
        if isinstance(item, type) and hasattr(item, "model_fields"):
            return item
        pending.extend(getattr(item, "__args__", ()))
    return None
