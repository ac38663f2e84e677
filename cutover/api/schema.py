"""Schema-valid values built from an OpenAPI document (bodies and parameters for probes).

A probe that sends `{}` or an inert path value learns nothing from a 422 or a 404: the route
may refuse the value before it ever asks who is calling. To prove a route closed the gate
must send something the route would accept, so it builds one from the route's own schema:
the documented example first (it is what the author says a valid request looks like), then
a value derived from the schema's constraints (required properties only, the lower bound of
a number, the shortest string a pattern matches). `None` means "cannot build one": the
caller reports the route as not proven, never as closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_DEPTH = 8
DATE, DATE_TIME = "2026-01-12", "2026-01-12T08:00:00+00:00"
FORMATS = {"date": DATE, "date-time": DATE_TIME, "email": "gate-probe@example.invalid",
           "uuid": "00000000-0000-4000-8000-000000000000", "uri": "https://example.invalid/",
           "time": "08:00:00"}


class Unbuildable(Exception):
    """No value satisfying the schema could be built."""


def resolve(document: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow local `$ref`s (`#/components/schemas/X`)."""
    seen = 0
    while isinstance(schema, Mapping) and str(schema.get("$ref", "")).startswith("#/"):
        node: Any = document
        for part in str(schema["$ref"])[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
        schema, seen = node, seen + 1
        if seen > MAX_DEPTH:
            raise Unbuildable("$ref cycle")
    return schema if isinstance(schema, Mapping) else {}


def example(document: Mapping[str, Any], schema: Mapping[str, Any]) -> Any:
    """A value valid for `schema`; Unbuildable when none can be derived."""
    return _value(document, schema, 0)


def body_of(document: Mapping[str, Any], spec: Mapping[str, Any]) -> tuple[bool, Any]:
    """(declared, value) for an operation's JSON request body; value None if unbuildable."""
    content = spec.get("requestBody", {}).get("content", {})
    media = content.get("application/json")
    if media is None:
        return False, None
    found, value = own_example(media)
    if found:
        return True, value
    try:
        return True, example(document, media.get("schema", {}))
    except Unbuildable:
        return True, None


def own_example(param: Mapping[str, Any]) -> tuple[bool, Any]:
    """A parameter's or media type's own example in either spelling OpenAPI allows
    (`example`, or the first of `examples`), and whether it has one (None can be one)."""
    if "example" in param:
        return True, param["example"]
    examples = param.get("examples")
    if isinstance(examples, Mapping) and examples:
        first = next(iter(examples.values()))
        return True, first.get("value") if isinstance(first, Mapping) else first
    return False, None


def parameter(document: Mapping[str, Any], param: Mapping[str, Any]) -> Any:
    """A valid value for one parameter (its documented example first)."""
    found, value = own_example(param)
    return value if found else example(document, param.get("schema", {}))


def _value(document: Mapping[str, Any], schema: Mapping[str, Any], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise Unbuildable("schema nested too deeply")
    schema = resolve(document, schema)
    for key in ("const",):
        if key in schema:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            options = [o for o in schema[key] if resolve(document, o).get("type") != "null"]
            for option in options or schema[key]:
                try:
                    return _value(document, option, depth + 1)
                except Unbuildable:
                    continue
            raise Unbuildable(f"no {key} alternative can be built")
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(resolve(document, part))
        return _value(document, merged, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties", {})
        return {name: _value(document, props.get(name, {}), depth + 1)
                for name in schema.get("required", [])}
    if kind == "array":
        count = int(schema.get("minItems", 0))
        return [_value(document, schema.get("items", {}), depth + 1) for _ in range(count)]
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    raise Unbuildable(f"no type to build from ({sorted(schema)[:5]})")


def _number(schema: Mapping[str, Any], kind: str) -> int | float:
    low, high = schema.get("minimum"), schema.get("maximum")
    if schema.get("exclusiveMinimum") is not None and not isinstance(
            schema["exclusiveMinimum"], bool):
        low = schema["exclusiveMinimum"] + 1
    value = low if low is not None else (min(1, high) if high is not None else 1)
    return int(value) if kind == "integer" else float(value)


def _string(schema: Mapping[str, Any]) -> str:
    fmt = schema.get("format")
    if fmt in FORMATS:
        return FORMATS[fmt]
    low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
    pattern = schema.get("pattern")
    if not pattern:
        return "g" * max(low, 1) if high is None or high >= 1 else ""
    return _matching(pattern, low, high)


def _matching(pattern: str, low: int, high: int | None) -> str:
    """The simplest string matching `pattern` within the length bounds (Hypothesis' shrinker
    finds it deterministically; no example database is written)."""
    from hypothesis import HealthCheck, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    try:
        return find(st.from_regex(pattern, fullmatch=True),
                    lambda s: low <= len(s) and (high is None or len(s) <= high),
                    settings=settings(database=None, max_examples=500,
                                      suppress_health_check=list(HealthCheck)))
    except (NoSuchExample, ValueError, TypeError) as exc:
        raise Unbuildable(f"no string matches {pattern!r}: {type(exc).__name__}") from None
    except Exception as exc:  # re.error and Hypothesis' own refusals of a pattern
        raise Unbuildable(f"pattern {pattern!r} cannot be generated: "
                          f"{type(exc).__name__}") from None
