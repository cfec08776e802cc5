"""Validation stages 1 and 2: the file's shape, names, component keys and component ids.

Top-level and component keys (with "did you mean"), valid names, one namespace for vars and
components, and each id resolved through the registry. Args written beside ``args:`` are
reported once and checked as args meanwhile, so one slip gives one finding, not a cascade.
"""

from typing import Any

from fortuna._internal.findings import (
    cut,
    shown,
)
from fortuna._internal.registry import ComponentImportError, UnknownComponent
from fortuna._internal.validation_report import (
    COMPONENT_KEYS,
    NAME,
    TOP_LEVEL_KEYS,
    Path,
    _key,
    _State,
    suggestion,
)


class _ShapeChecks(_State):
    # --- stage 1: shape ---------------------------------------------------------------

    def check_shape(self) -> bool:
        data = self.document.data
        if not isinstance(data, dict):
            self.report((), "a mandate is a mapping with service, vars and components")
            return False
        for key in data:
            if key not in TOP_LEVEL_KEYS:
                hint = suggestion(key, TOP_LEVEL_KEYS) if isinstance(key, str) else ""
                self.report((key,), f'unknown key {_key(key)}{hint}; a mandate has '
                            f"service, vars and components", key=True)
        if "service" not in data:
            self.report((), 'missing "service": the name of the component that runs, '
                        'like service: "@mm"')
        elif not isinstance(data["service"], str):
            self.report(("service",), 'service must be a reference like "@mm"')
        vars_ = data.get("vars", {})
        if vars_ is None:
            vars_ = {}
        if not isinstance(vars_, dict):
            self.report(("vars",), "vars must be a mapping of names to values")
            vars_ = {}
        for name, value in vars_.items():
            if self.check_name(("vars", name), name):
                self.vars[name] = value
        components = data.get("components")
        if components is None:
            self.report((), 'missing "components": a mapping of names to {id, args}')
            components = {}
        elif not isinstance(components, dict):
            self.report(("components",), "components must be a mapping of names to {id, args}")
            components = {}
        for name, spec in components.items():
            path: Path = ("components", name)
            if not self.check_name(path, name):
                continue
            if name in self.vars:
                self.report(path, f'"{name}" is both a var and a component; they share one '
                            "namespace", key=True)
                continue
            if not isinstance(spec, dict):
                self.report(path, "a component is a mapping with id and args")
                continue
            stray = [key for key in spec if key not in COMPONENT_KEYS]
            if stray:
                self.stray[name] = stray
            args = spec.get("args", {})
            if args is None:
                args = {}
            if not isinstance(args, dict):
                self.report((*path, "args"), "args must be a mapping of arg names to values")
                args = {}
            if "id" not in spec:
                self.report(path, 'missing "id": which catalog component this is '
                            "(see `fortuna catalog`)")
            elif not isinstance(spec["id"], str):
                self.report((*path, "id"), "id must be a catalog id such as exchanges.sim")
            self.components[name] = {"id": spec.get("id"), "args": args}
        return True

    def check_name(self, path: Path, name: Any) -> bool:
        if isinstance(name, str) and NAME.match(name):
            return True
        self.report(path, f"{shown(name)} is not a valid name: use letters, digits, _ . -, "
                    "starting with a letter or _", key=True)
        return False

    # --- stage 2: ids -----------------------------------------------------------------

    def report_stray_keys(self) -> None:
        """Keys of a component other than id and args: args written beside ``args:`` (or
        without it) become one finding saying to move them under it, and are checked as
        args meanwhile (no "missing arg" cascade); any other key is unknown."""
        for name, keys in self.stray.items():
            path: Path = ("components", name)
            cls = self.classes.get(name)
            fields = cls.Args.model_fields if cls is not None else {}
            args_keys = [k for k in keys if isinstance(k, str) and k in fields]
            spec = self.components[name]
            if args_keys:
                has_args = "args" in self.document.data["components"][name]
                listed = ", ".join(f'"{k}"' for k in args_keys)
                what = ("is an arg of {}, not a key" if len(args_keys) == 1
                        else "are args of {}, not keys").format(self.ids[name])
                where = ('move it under "args:"' if len(args_keys) == 1 else
                         'move them under "args:"')
                if not has_args:
                    where += " (the component has no args: line; write one)"
                self.report((*path, args_keys[0]), f"{listed} {what} of the component: {where}, "
                            "indented one level more", key=True)
                merged = dict(spec["args"])
                for key in args_keys:
                    merged.setdefault(key, self.document.data["components"][name][key])
                spec["args"] = merged
            for key in keys:
                if key in args_keys:
                    continue
                hint = suggestion(key, COMPONENT_KEYS) if isinstance(key, str) else ""
                self.report((*path, key), f'unknown key {_key(key)}{hint}; a component has '
                            "id and args", key=True)

    def resolve_ids(self) -> None:
        for name, spec in self.components.items():
            component_id = spec["id"]
            if not isinstance(component_id, str):
                continue
            path: Path = ("components", name, "id")
            try:
                self.classes[name] = self.registry.resolve(component_id)
                self.ids[name] = component_id
            except UnknownComponent as exc:
                hint = f' (did you mean "{exc.suggestions[0]}"?)' if exc.suggestions else ""
                self.report(path, f'unknown component "{cut(component_id)}"{hint}')
            except ComponentImportError as exc:
                self.report(path, f'component "{cut(component_id)}" is installed but broken: '
                            f"{exc}")
