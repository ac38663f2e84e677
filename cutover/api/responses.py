"""Reading a platform API's JSON answers: bodies, errors, and what they reveal of tenants."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

TENANT_KEYS = ("tenant", "tenant_id")


def json_of(response: httpx.Response) -> Any:
    """The JSON body, or None when there is none."""
    try:
        return response.json()
    except ValueError:
        return None


def error_of(response: httpx.Response) -> str | None:
    """The `error` field of a JSON answer, if any."""
    body = json_of(response)
    return body.get("error") if isinstance(body, dict) else None


def tenants_in(doc: Any) -> Iterator[str]:
    """Every value of a `tenant` / `tenant_id` key anywhere in a JSON document."""
    if isinstance(doc, Mapping):
        for key, value in doc.items():
            if key in TENANT_KEYS and isinstance(value, str):
                yield value
            yield from tenants_in(value)
    elif isinstance(doc, list):
        for item in doc:
            yield from tenants_in(item)


def strings_in(doc: Any) -> Iterator[str]:
    """Every string value anywhere in a JSON document."""
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, Mapping):
        for value in doc.values():
            yield from strings_in(value)
    elif isinstance(doc, list):
        for item in doc:
            yield from strings_in(item)


def ids_in(doc: Any) -> list[Any]:
    """`id` values of the objects in the first list of objects found in a document."""
    if isinstance(doc, list) and doc and all(isinstance(i, Mapping) for i in doc):
        return [i["id"] for i in doc if "id" in i]
    if isinstance(doc, Mapping):
        for value in doc.values():
            found = ids_in(value)
            if found:
                return found
    return []


def describe(response: httpx.Response) -> str:
    """`HTTP 200` or `HTTP 401 missing_api_key`, for messages."""
    error = error_of(response)
    return f"HTTP {response.status_code}" + (f" {error}" if error else "")
