"""Proving that a route refuses an anonymous request (PM-103; PM-101/102 hand over to it).

Not a check module. An anonymous request answered 401/403 proves the route closed and 2xx
proves it open; anything else (404, 422, 405, 400, ...) proves nothing, because the route
may have rejected the probe's inert path value, its missing query parameter or its empty
body before ever asking who is calling, and would answer a real request. Such a route is
retried with real values: path parameters from the target itself (a configured value, the
ids an authenticated list route returns, tenant ids read through the gate's read-only
database session, the documented example), required query parameters and a body built from
the OpenAPI schema. Retrying a mutating route could write, so it only happens where active
probes are allowed. A route that still answers neither way is "not proven", which the
check reports as a warning naming it: never as closed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from cutover.api import probe, responses, schema
from cutover.api.probe import ApiProbe, Operation

CLOSED, OPEN, UNPROVEN = "closed", "open", "unproven"
MAX_ATTEMPTS = 3
TENANT_PARAMS = ("tenant_id", "tenant")


@dataclass
class Judgement:
    """What the anonymous probes of one operation proved, and the probes themselves."""

    op: Operation
    status: str
    detail: str
    records: list[dict] = field(default_factory=list)

    @property
    def message(self) -> str:
        return f"{self.op.name} {self.detail}"


def decided(response) -> str | None:
    """OPEN for 2xx, CLOSED for 401/403, None when the answer proves nothing."""
    if response.is_success:
        return OPEN
    if response.status_code in (401, 403):
        return CLOSED
    return None


class AnonymousProof:
    """Judges operations of one API; credentials are used only to *list* real ids."""

    def __init__(self, api: ApiProbe, ops: list[Operation], *, cookie: str | None = None,
                 api_key: str | None = None, configured: Mapping[str, str] | None = None,
                 tenant_ids: Callable[[], list[str]] | None = None,
                 writes_allowed: bool = False) -> None:
        self.api, self.ops = api, ops
        self.cookie, self.api_key = cookie, api_key
        self.configured = dict(configured or {})
        self.tenant_ids = tenant_ids or (lambda: [])
        self.writes_allowed = writes_allowed
        self._listings: dict[str, list[str]] = {}
        self._cache: dict[str, Judgement] = {}

    def judge(self, op: Operation) -> Judgement:
        """CLOSED, OPEN or UNPROVEN for `op`, with a detail naming what answered."""
        if op.name not in self._cache:
            self._cache[op.name] = self._judge(op)
        return self._cache[op.name]

    def _judge(self, op: Operation) -> Judgement:
        first = self.api.call(op)
        records = [probe.record(first, op, attempt="inert")]
        status = decided(first)
        if status is not None:
            return Judgement(op, status, f"answered {responses.describe(first)}", records)
        why = f"answered {responses.describe(first)} to an anonymous request"
        if op.mutating and not self.writes_allowed:
            return Judgement(op, UNPROVEN, f"{why}; a retry with real values could write and "
                             "is not run in production (SOLVEREIGN_ALLOW_ACTIVE_PROBES=true "
                             "allows it)", records)
        attempts, missing = self._retries(op, first)
        gaps = f"; {'; '.join(missing)}" if missing else ""
        last = first
        for url, body in attempts:
            response = self.api.call(op, url, body=body)
            records.append(probe.record(response, op, attempt="real values",
                                           body_sent=body is not None))
            status = decided(response)
            if status == OPEN:
                return Judgement(op, OPEN, f"answered {responses.describe(response)} to an "
                                 f"anonymous request for {url}"
                                 + (" with a schema-valid body" if body is not None else ""),
                                 records)
            if status == CLOSED:
                return Judgement(op, CLOSED, f"answered {responses.describe(response)} with "
                                 "real values", records)
            last = response
        if attempts:
            why += f", and {responses.describe(last)} with real values"
        return Judgement(op, UNPROVEN, why + gaps, records)

    def _retries(self, op: Operation, first) -> tuple[list[tuple[str, Any]], list[str]]:
        """(url, body) attempts with real values, and what could not be had."""
        document = self.api.document()
        missing: list[str] = []
        values: dict[str, list[str]] = {}
        for param in op.path_params:
            found = self._path_values(op, param)
            if not found:
                missing.append(f"no real value for {{{param['name']}}}")
            values[param["name"]] = found
        query: dict[str, str] = {}
        for param in op.spec.get("parameters", []):
            if param.get("in") != "query" or not param.get("required"):
                continue
            try:
                query[param["name"]] = _text(schema.parameter(document, param))
            except schema.Unbuildable:
                missing.append(f"no valid value for the query parameter {param['name']}")
        body = None
        if op.mutating:
            declared, body = schema.body_of(document, op.spec)
            if declared and body is None:
                missing.append("no schema-valid body could be built")
            elif not declared and op.spec.get("x-source"):
                missing.append("its body is not documented")
        sent = first.request.url.raw_path.decode()
        attempts = []
        for i in range(MAX_ATTEMPTS):
            path = op.path
            for name, found in values.items():
                if found:
                    path = path.replace("{" + name + "}",
                                        quote(found[min(i, len(found) - 1)], safe=""))
            url = path + ("?" + urlencode(query) if query else "")
            if "{" in url or (url == sent and body is None) or \
                    any(a == (url, body) for a in attempts):
                continue
            attempts.append((url, body))
        return attempts, missing

    def _path_values(self, op: Operation, param: Mapping[str, Any]) -> list[str]:
        """Real values for one path parameter, best source first (capped)."""
        name = param["name"]
        found: list[str] = []
        if name in self.configured:
            found.append(self.configured[name])
        found += self._listed(op.path.split("/{" + name + "}")[0])
        if name in TENANT_PARAMS:
            found += [str(t) for t in self.tenant_ids()]
        example = probe.documented_example(param)
        if example is not None:
            found.append(str(example))
        unique = list(dict.fromkeys(v for v in found if v))
        return unique[:MAX_ATTEMPTS]

    def _listed(self, collection: str) -> list[str]:
        """Ids the list route at `collection` returns, asked with the credentials it takes."""
        if collection in self._listings:
            return self._listings[collection]
        ids: list[str] = []
        listing = next((o for o in self.ops if o.method == "GET" and o.path == collection
                        and not o.path_params), None)
        if listing is not None:
            for credentials in self._credentials(listing):
                response = self.api.call(listing, listing.url(inert=False), **credentials)
                if response.is_success:
                    ids = [str(i) for i in responses.ids_in(responses.json_of(response))]
                    break
        self._listings[collection] = ids[:MAX_ATTEMPTS]
        return self._listings[collection]

    def _credentials(self, listing: Operation) -> list[dict[str, str]]:
        kind = listing.kind
        out: list[dict[str, str]] = []
        if kind in ("platform", "other") and self.cookie:
            out.append({"cookie": self.cookie})
        if kind in ("pack", "other") and self.api_key:
            out.append({"api_key": self.api_key})
        return out or [{}]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
