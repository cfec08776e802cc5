"""The component model: what every building block of a mandate is.

A component is a class with a pydantic model for its args (``Component[MyArgs]``) and an
async lifecycle (``load`` / ``unload``). Construction is cheap and does no I/O: a graph of
ten thousand components is instantiated before any of them loads, and a failed load must
leave nothing behind but what ``unload`` tears down.

An *interface* is a class deriving from :class:`Interface`. A component provides every
interface it subclasses, and an arg annotated with an interface (``exchange: Exchange``)
accepts only a reference to a component that provides it. The check runs twice with the
same code: at validation time against a :class:`Placeholder` standing for the component
(so the whole graph is checked before anything is built), and at instantiation against the
live object.
"""

from __future__ import annotations

import abc
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from fortuna._internal.references import REFS_CONTEXT, Placeholder, Ref

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

    from fortuna._internal.findings import Position
    from fortuna._internal.time import Clock

__all__ = [
    "Component",
    "ComponentArgs",
    "Context",
    "Interface",
    "Logger",
    "NoArgs",
    "Placeholder",
    "Ref",
    "Resettable",
    "Service",
]

REFERENCE_PATTERN = r"^@[A-Za-z_][A-Za-z0-9_.\-]*$"


def interface_name(cls: type[Any]) -> str:
    return cls.__name__


class Interface:
    """Base of every type a component can provide and an arg can reference by ``"@name"``."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        wanted = source if isinstance(source, type) else cls

        def check(value: Any, info: core_schema.ValidationInfo) -> Any:
            if isinstance(value, wanted):
                return value
            if isinstance(value, Ref) and info.context and REFS_CONTEXT in info.context:
                value = info.context[REFS_CONTEXT].get(value.name, value)
            if isinstance(value, Placeholder):
                if issubclass(value.cls, wanted):
                    return value
                raise PydanticCustomError(
                    "reference_interface",
                    '"@{name}" is a {id} component, which does not provide {interface}',
                    {"name": value.name, "id": value.id, "interface": interface_name(wanted)},
                )
            raise PydanticCustomError(
                "reference_expected",
                'expected a reference to a component providing {interface}, like "@name"',
                {"interface": interface_name(wanted)},
            )

        return core_schema.with_info_plain_validator_function(
            check, metadata={"fortuna_interface": wanted}
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        wanted = schema.get("metadata", {}).get("fortuna_interface", cls)
        return {
            "type": "string",
            "pattern": REFERENCE_PATTERN,
            "description": f"reference to a component providing {interface_name(wanted)}",
            "x-fortuna-interface": interface_name(wanted),
        }


class Resettable(Interface, abc.ABC):
    """A component holding a latch an operator can clear (a tripped kill switch).

    ``fortuna run`` resets every loaded resettable component on SIGUSR1 and logs each one;
    from Python, ``graph.reset()`` does the same.
    """

    @abc.abstractmethod
    def reset(self) -> None:
        """Clear the latch: the operator has decided to resume."""


class ComponentArgs(BaseModel):
    """Base for a component's args: unknown args are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class NoArgs(ComponentArgs):
    """The args of a component that takes none."""


ArgsT = TypeVar("ArgsT", bound=BaseModel)


class Logger(Protocol):
    """What ``self.log`` offers: an event name and keyword fields, at a level.

    The container binds a structlog logger with ``component=<name>``; anything with these
    methods will do (a test may pass a recorder through :class:`Context`). Fields are data,
    not formatting: ``log.warning("order refused", reason=..., price=price)``, decimals
    stay exact and secrets are redacted by the runtime's processors.
    """

    def bind(self, **fields: Any) -> Logger: ...

    def debug(self, event: str, *args: Any, **fields: Any) -> Any: ...

    def info(self, event: str, *args: Any, **fields: Any) -> Any: ...

    def warning(self, event: str, *args: Any, **fields: Any) -> Any: ...

    def error(self, event: str, *args: Any, **fields: Any) -> Any: ...

    def critical(self, event: str, *args: Any, **fields: Any) -> Any: ...

    def exception(self, event: str, *args: Any, **fields: Any) -> Any: ...


class _ArgsModel(Protocol):
    """How a type checker sees ``Component.Args``: the model of the type argument.

    A ``ClassVar`` cannot mention a type variable, but a descriptor's ``owner`` can, so
    ``TickerPrice.Args`` is ``type[TickerArgs]`` for ``class TickerPrice(Component[TickerArgs])``
    and ``TickerPrice(TickerPrice.Args(...))`` type-checks. At run time ``Args`` is the plain
    model class (see ``Component.__init_subclass__``); nothing of this type exists.
    """

    def __get__(self, instance: object, owner: type[Component[ArgsT]], /) -> type[ArgsT]: ...


@dataclass(eq=False)
class Context:
    """What the container hands every component besides its args."""

    name: str
    id: str = ""
    clock: Clock | None = None
    log: Logger | None = None
    position: Position | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    directory: str | None = None
    """The folder of the mandate file, against which a relative path in args resolves;
    None for a mandate built in Python (then the working directory is used)."""

    def resolve_path(self, value: str | os.PathLike[str]) -> Path:
        """``value`` as an absolute path: ``~`` expanded, and a relative path taken
        against the mandate's folder, so a mandate means the same files whatever folder
        it is run from. Symbolic links are kept as written (nothing is resolved on disk)."""
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = Path(self.directory if self.directory is not None else os.getcwd()) / path
        return Path(os.path.normpath(path))


def _default_clock() -> Clock:
    from fortuna._internal.clock import WallClock

    return WallClock(NoArgs(), Context(name="clock"))


def _default_log(name: str) -> Logger:
    import structlog

    log: Logger = structlog.get_logger("fortuna").bind(component=name)
    return log


class Component(Interface, Generic[ArgsT]):
    """A building block of a mandate: args from the file, an async load/unload lifecycle.

    Subclass as ``class Ticker(Component[TickerArgs], PriceProvider)``; ``Args`` is taken from
    the type argument. The first line of the class docstring is what ``fortuna catalog`` shows.
    """

    if TYPE_CHECKING:
        Args: ClassVar[_ArgsModel]
    else:
        Args = NoArgs
    semantic_checks: ClassVar[tuple[str, ...]] = ()
    """Semantic checks of this component, as ``"package.module:function"`` names run by
    validation after the type checks (see ``fortuna._internal.checks``)."""
    book_claims: ClassVar[tuple[str, ...]] = ()
    """What this component holds that other mandates of a book must not, as
    ``"package.module:function"`` names returning claims (see ``fortuna._internal.book``)."""
    standalone: ClassVar[bool] = False
    """Whether the component works on its own once loaded (a listener, a collector), so
    that no other component referencing it is no mistake."""
    args: ArgsT
    context: Context

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "Args" in cls.__dict__:
            return
        for base in getattr(cls, "__orig_bases__", ()):
            origin = get_origin(base)
            if isinstance(origin, type) and issubclass(origin, Component):
                (argument,) = get_args(base)
                if isinstance(argument, type) and issubclass(argument, BaseModel):
                    cls.Args = argument  # type: ignore[assignment]  # see _ArgsModel
                    return

    def __init__(self, args: ArgsT, context: Context | None = None) -> None:
        self.args = args
        self.context = context if context is not None else Context(name=type(self).__name__)

    @property
    def name(self) -> str:
        return self.context.name

    @property
    def clock(self) -> Clock:
        if self.context.clock is None:
            self.context.clock = _default_clock()
        return self.context.clock

    @property
    def log(self) -> Logger:
        if self.context.log is None:
            self.context.log = _default_log(self.context.name)
        return self.context.log

    async def load(self) -> None:
        """Acquire resources (sessions, markets, tables). Called once, dependencies first."""

    async def unload(self) -> None:
        """Release what ``load`` acquired. Called once, in reverse order of loading."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.context.name!r}>"


class Service(Component[ArgsT]):
    """A component that can be the root ``service`` of a mandate: it runs until stopped.

    ``run`` returns when the work is done or soon after ``request_stop``; the runtime then
    unloads the graph. ``stop_requested`` lets long loops check for a stop between steps.
    """

    _stop_event: asyncio.Event | None = None
    _guards: tuple[Callable[[], str | None], ...] = ()

    def guard(self, check: Callable[[], str | None]) -> None:
        """Add a condition the service must meet before each step it starts: ``check()``
        returns why it may not act any more (a lease lost), or ``None``. A tick service
        asks every guard before every tick and stops, without ticking, at the first reason
        (``fortuna run --lease`` guards the service with the lease)."""
        self._guards = (*self._guards, check)

    def refused_by_guard(self) -> str | None:
        """The first guard's reason not to act now, or ``None``."""
        for check in self._guards:
            reason = check()
            if reason is not None:
                return reason
        return None

    @property
    def stop_event(self) -> asyncio.Event:
        if self._stop_event is None:
            import asyncio  # here, not at import: validating a mandate needs no event loop

            self._stop_event = asyncio.Event()
        return self._stop_event

    @property
    def stop_requested(self) -> bool:
        return self._stop_event is not None and self._stop_event.is_set()

    def request_stop(self) -> None:
        """Ask ``run`` to finish gracefully. Safe to call more than once."""
        self.stop_event.set()

    async def run(self) -> None:
        raise NotImplementedError
