"""Fast coercion of plain CLI values, so a command does not load pydantic to read ``--limit 50``.

Typer 0.29 converts every parameter value through a pydantic ``TypeAdapter``; building the
first one imports pydantic, about 55 ms of a 150 ms command. Almost every crm parameter is a
``str``, ``bool``, ``int``, ``float`` or a list of those, given as text the shell passed, and
for those the conversion is ``int(text)``. This module answers such values itself and hands
everything else — any other annotation, a parser, clamping, and every value it would not
convert exactly as pydantic does (``1.0`` for an int, a bound broken, odd digits) — to
Typer's own adapter, so errors and edge cases read exactly as Typer words them.

Typer keeps this hook private; ``install`` leaves Typer untouched if the hook is missing.
"""

from __future__ import annotations

import re
from typing import Any, get_args, get_origin

_INT = re.compile(r" *[+-]?[0-9]+ *")
_FLOAT = re.compile(r" *[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+) *")
_UNCONVERTED = object()


def install() -> None:
    """Route simple parameters of every Typer command through the fast path."""
    try:
        from typer import _coercion, core
    except ImportError:  # pragma: no cover - a Typer without the hook
        return
    parameter = getattr(core, "_TyperParameter", None)
    runtime = getattr(_coercion, "RuntimeParam", None)
    if parameter is None or runtime is None or not hasattr(parameter, "get_runtime_param"):
        return  # pragma: no cover - a Typer without the hook

    class FastRuntimeParam(runtime):  # type: ignore[misc, valid-type]
        """Converts plain text itself; anything else goes to Typer's adapter."""

        def __init__(self, descriptor: Any, kind: type, bounds: tuple[Any, Any]) -> None:
            super().__init__(
                annotation=descriptor.annotation, parameter_info=descriptor.parameter_info
            )
            object.__setattr__(self, "_descriptor", descriptor)
            object.__setattr__(self, "_kind", kind)
            object.__setattr__(self, "_bounds", bounds)
            object.__setattr__(self, "_typer", None)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            converted = _convert(value, self._kind, self._bounds)
            if converted is not _UNCONVERTED:
                return converted
            if self._typer is None:
                object.__setattr__(self, "_typer", _coercion.build_runtime_param(self._descriptor))
            return self._typer._coerce_value(value, param, ctx)

    original = parameter.get_runtime_param

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None:
            plan = _plan(self.type_descriptor)
            if plan is not None:
                self._runtime_param = FastRuntimeParam(self.type_descriptor, *plan)
        return original(self)

    parameter.get_runtime_param = get_runtime_param


def _plan(descriptor: Any) -> tuple[type, tuple[Any, Any]] | None:
    """(kind, (min, max)) when the fast path can take this parameter, else None."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None or info.clamp:
        return None
    if getattr(info, "click_type", None) is not None:
        return None
    annotation = descriptor.annotation
    kind = annotation
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        if item not in (str, int, float):
            return None
        kind = list[item]  # type: ignore[valid-type]
    elif annotation not in (str, bool, int, float):
        return None
    if descriptor.is_path or descriptor.is_choice:
        return None
    return kind, (info.min, info.max)


def _convert(value: Any, kind: Any, bounds: tuple[Any, Any]) -> Any:
    if get_origin(kind) is list:
        if not isinstance(value, (list, tuple)):
            return _UNCONVERTED
        (item,) = get_args(kind)
        items = [_convert(v, item, bounds) for v in value]
        return _UNCONVERTED if any(i is _UNCONVERTED for i in items) else items
    if kind is str:
        return value if isinstance(value, str) else _UNCONVERTED
    if kind is bool:
        return value if isinstance(value, bool) else _UNCONVERTED
    if kind is int:
        if isinstance(value, bool):
            return _UNCONVERTED
        if isinstance(value, str) and _INT.fullmatch(value):
            value = int(value)
        if not isinstance(value, int):
            return _UNCONVERTED
    elif kind is float:
        plain_text = isinstance(value, str) and _FLOAT.fullmatch(value)
        if plain_text or (isinstance(value, int) and not isinstance(value, bool)):
            value = float(value)
        if not isinstance(value, float):
            return _UNCONVERTED
    low, high = bounds
    if (low is not None and value < low) or (high is not None and value > high):
        return _UNCONVERTED  # Typer words the bound
    return value
