"""Probing a SOLVEREIGN HTTP API from the outside, driven by its OpenAPI document.

The gate's health, auth-separation and write-freeze checks (and anything else that must
prove a property *through the application*) use this: it knows only the contract of
docs/api.md and the target's published OpenAPI document, so a route added to the target is
probed without changing the gate.

Conventions it relies on (all documented by the target):
* platform routes live under /api/v1/platform/, pack routes under /api/v1/routing/ and
  /api/v1/roster/; the platform login is POST /api/v1/platform/login (email, password) and
  answers with a Set-Cookie session;
* mutating pack requests are signed: X-Timestamp, X-Nonce, X-Signature = hex HMAC-SHA256
  (key = the API key) over METHOD, PATH?QUERY, timestamp, nonce, hex sha256(body), one per
  line;
* pack answers name the tenant of the rows they return (`tenant` / `tenant_id`).

Probes never send a valid write unless a check asks for one explicitly: mutating requests
carry the body `{}`, which a working route refuses (401/403/409/503 before validation, 422
after). Only PM-103's "not proven" retry sends a schema-valid body, to a route that did not
refuse an anonymous request, and only where active probes are allowed (not production).

Routes come from the OpenAPI document, plus the server's actual route table where the target
exposes one (ROUTE_TABLE_PATH, the sandbox outside production, for platform admins), plus
routes configured by hand (`parse_routes`): a route left out of the document is still a route.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from cutover.api import responses
from cutover.api.schema import own_example

PLATFORM_PREFIX = "/api/v1/platform/"
PACK_PREFIXES = ("/api/v1/routing/", "/api/v1/roster/")
LOGIN_PATH = "/api/v1/platform/login"
ROUTE_TABLE_PATH = "/api/v1/platform/debug/routes"
PUBLIC_PATHS = ("/health", "/health/ready", "/metrics", "/openapi.json", "/docs",
                "/docs/oauth2-redirect", "/redoc")
MUTATING = ("POST", "PUT", "PATCH", "DELETE")
HTTP_METHODS = ("GET", *MUTATING)
INERT_STRING = "gate_probe_0000"
INERT_INTEGER = 999_999_999_999

#: the settings a gate run reads its probe credentials from (documented in the README)
KEY_A, KEY_B = "SOLVEREIGN_PROBE_API_KEY_A", "SOLVEREIGN_PROBE_API_KEY_B"
TENANT_A, TENANT_B = "SOLVEREIGN_PROBE_TENANT_A", "SOLVEREIGN_PROBE_TENANT_B"
EMAIL, PASSWORD = "SOLVEREIGN_PROBE_PLATFORM_EMAIL", "SOLVEREIGN_PROBE_PLATFORM_PASSWORD"


class ProbeError(Exception):
    """The API could not be probed at all (unreachable, no OpenAPI document, bad login)."""


@dataclass(frozen=True)
class Operation:
    """One method on one path template of the OpenAPI document."""

    method: str
    path: str
    spec: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def kind(self) -> str:
        """platform, pack or other, by path prefix (docs/api.md)."""
        if self.path.startswith(PLATFORM_PREFIX) or self.path == PLATFORM_PREFIX.rstrip("/"):
            return "platform"
        if any(self.path.startswith(p) for p in PACK_PREFIXES):
            return "pack"
        return "other"

    @property
    def mutating(self) -> bool:
        return self.method in MUTATING

    @property
    def path_params(self) -> list[dict]:
        return [p for p in self.spec.get("parameters", []) if p.get("in") == "path"]

    def body_requires_fields(self, document: Mapping[str, Any]) -> bool:
        """Does the request body declare required properties (so `{}` is invalid)?"""
        content = self.spec.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        return bool(_resolve(document, schema).get("required"))

    def url(self, path_values: Mapping[str, str] | None = None, *, inert: bool = True) -> str:
        """The path with parameters filled, plus required query parameters.

        `inert` fills path parameters with values that name no real object (refusal
        probes); otherwise documented examples are used (read probes).
        """
        path = self.path
        for param in self.path_params:
            name = param["name"]
            value = (path_values or {}).get(name)
            if value is None:
                value = _inert(param) if inert else _example(param)
            path = path.replace("{" + name + "}", str(value if value is not None else
                                                      INERT_STRING))
        query = []
        for param in self.spec.get("parameters", []):
            if param.get("in") == "query" and param.get("required"):
                value = _example(param)
                query.append(f"{param['name']}={value if value is not None else INERT_STRING}")
        return path + ("?" + "&".join(query) if query else "")

    def readable(self) -> bool:
        """Can a read probe call it with documented values only (examples for required query)?"""
        return all(_example(p) is not None for p in self.spec.get("parameters", [])
                   if p.get("in") == "query" and p.get("required"))


_CONVERTER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}")
_ROUTE = re.compile(r"^(?:(GET|POST|PUT|PATCH|DELETE)\s+)?(/\S*)$")


def undocumented(method: str, template: str, source: str) -> Operation:
    """An operation known only from a route table or a configured list: its path parameters
    are all it has (`{id:int}` converters give an integer schema)."""
    params = []
    for name, converter in _CONVERTER.findall(template):
        kind = "integer" if converter == "int" else "string"
        params.append({"name": name, "in": "path", "required": True,
                       "schema": {"type": kind}})
    return Operation(method.upper(), _CONVERTER.sub(r"{\1}", template),
                     {"parameters": params, "x-source": source})


def parse_routes(raw: str) -> list[tuple[str, str]]:
    """`METHOD /path` entries (comma- or newline-separated; METHOD defaults to GET), or a
    route-table JSON document (`{"routes": [{"path", "methods"}]}`); ValueError naming the
    first entry that is neither."""
    text = raw.strip()
    if text.startswith("{"):
        try:
            doc = json.loads(text)
            return sorted({(m.upper(), str(e["path"])) for e in doc["routes"]
                           for m in e.get("methods", ["GET"])})
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ValueError("not a route table (expected {\"routes\": [{\"path\", "
                             "\"methods\"}]})") from None
    out = []
    for entry in (e.strip() for e in re.split(r"[,\n]", text)):
        if not entry or entry.startswith("#"):
            continue
        match = _ROUTE.match(entry)
        if not match:
            raise ValueError(f"{entry!r} is not `METHOD /path` (METHOD one of "
                             f"{', '.join(HTTP_METHODS)})")
        out.append((match.group(1) or "GET", match.group(2)))
    return out


def _resolve(document: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow one local $ref."""
    ref = schema.get("$ref", "")
    if not ref.startswith("#/"):
        return schema
    node: Any = document
    for part in ref[2:].split("/"):
        node = node.get(part, {})
    return node


def _example(param: Mapping[str, Any]) -> Any:
    """The documented example of a parameter (its own, else its schema's, else the default)."""
    found, value = own_example(param)
    if found:
        return value
    schema = param.get("schema", {})
    if schema.get("examples"):
        return schema["examples"][0]
    return schema.get("example", schema.get("default"))


def documented_example(param: Mapping[str, Any]) -> Any:
    """The example (or default) a parameter's documentation gives, or None."""
    return _example(param)


def _inert(param: Mapping[str, Any]) -> Any:
    """A valid-looking value that names nothing: the largest allowed integer, a probe slug."""
    schema = param.get("schema", {})
    if schema.get("type") == "integer":
        return int(schema.get("maximum", INERT_INTEGER))
    return INERT_STRING


def signed_headers(key: str, method: str, path_qs: str, body: bytes, *,
                   nonce: str | None = None, timestamp: int | None = None) -> dict[str, str]:
    """X-Timestamp, X-Nonce and X-Signature for a mutating pack request."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = nonce or "gate-" + secrets.token_hex(16)
    message = "\n".join((method.upper(), path_qs, ts, nonce,
                         hashlib.sha256(body).hexdigest())).encode()
    sig = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    return {"X-Timestamp": ts, "X-Nonce": nonce, "X-Signature": sig}


class ApiProbe:
    """An HTTP client for one target API, with its operations and credentials helpers."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = httpx.Client(base_url=self.base_url, timeout=timeout,
                                   follow_redirects=False)
        self._document: dict[str, Any] | None = None

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> ApiProbe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- health ------------------------------------------------------------------------

    def get_json(self, path: str) -> tuple[int, Any]:
        """(status, JSON body or None); ProbeError when nothing answers."""
        try:
            response = self.client.get(path)
        except httpx.HTTPError as exc:
            raise ProbeError(f"{self.base_url}{path} did not answer: "
                             f"{type(exc).__name__}: {exc}") from None
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    def wait_for_writes(self, enabled: bool, wait_seconds: float,
                        interval: float = 0.5) -> tuple[bool, Any]:
        """Poll /health until writes_enabled == enabled; (reached, last body)."""
        deadline = time.monotonic() + wait_seconds
        body: Any = None
        while True:
            try:
                status, body = self.get_json("/health")
            except ProbeError as exc:
                status, body = 0, {"error": str(exc)}
            if status == 200 and isinstance(body, dict) and \
                    body.get("writes_enabled") is enabled:
                return True, body
            if time.monotonic() >= deadline:
                return False, body
            time.sleep(interval)

    # -- the OpenAPI document ----------------------------------------------------------

    def document(self) -> dict[str, Any]:
        """The target's OpenAPI document (fetched once)."""
        if self._document is None:
            status, body = self.get_json("/openapi.json")
            if status != 200 or not isinstance(body, dict) or "paths" not in body:
                raise ProbeError(f"{self.base_url}/openapi.json is not an OpenAPI document "
                                 f"(HTTP {status})")
            self._document = body
        return self._document

    def operations(self) -> list[Operation]:
        """Every documented operation, sorted by path then method."""
        ops = [Operation(method.upper(), path, spec)
               for path, item in self.document()["paths"].items()
               for method, spec in item.items() if method.upper() in HTTP_METHODS]
        return sorted(ops, key=lambda o: (o.path, HTTP_METHODS.index(o.method)))

    def route_table(self, cookie: str) -> list[tuple[str, str]]:
        """(method, path template) of every route the server dispatches to, documented or
        not, from ROUTE_TABLE_PATH; ProbeError saying why when the target has none."""
        try:
            response = self.client.get(ROUTE_TABLE_PATH, headers={"Cookie": cookie,
                                                                   "Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ProbeError(f"{ROUTE_TABLE_PATH} did not answer: {type(exc).__name__}") \
                from None
        finally:
            self.client.cookies.clear()
        if response.status_code != 200:
            raise ProbeError(f"{ROUTE_TABLE_PATH} answered {responses.describe(response)}")
        try:
            return parse_routes(response.text)
        except ValueError as exc:
            raise ProbeError(f"{ROUTE_TABLE_PATH}: {exc}") from None

    def find(self, method: str, path: str) -> Operation | None:
        return next((o for o in self.operations() if o.method == method and o.path == path),
                    None)

    # -- requests ----------------------------------------------------------------------

    def login(self, email: str, password: str) -> str:
        """A `Cookie` header value for the platform session; ProbeError on refusal."""
        try:
            response = self.client.post(LOGIN_PATH, json={"email": email, "password": password})
        except httpx.HTTPError as exc:
            raise ProbeError(f"platform login did not answer: {type(exc).__name__}") from None
        self.client.cookies.clear()  # probes send credentials explicitly, never from a jar
        if response.status_code != 200 or not response.cookies:
            raise ProbeError(f"platform login as {email} was refused "
                             f"({responses.describe(response)})")
        return "; ".join(f"{k}={v}" for k, v in response.cookies.items())

    def call(self, op: Operation, url: str | None = None, *, api_key: str | None = None,
             cookie: str | None = None, sign: bool = False, nonce: str | None = None,
             headers: Mapping[str, str] | None = None, body: Any = None) -> httpx.Response:
        """One request; mutating ones carry `body` (default `{}`); pack writes are signed
        when `sign`."""
        url = url or op.url()
        body = (json.dumps(body).encode() if body is not None else b"{}") if op.mutating \
            else b""
        send = {"Accept": "application/json", **(headers or {})}
        if op.mutating:
            send["Content-Type"] = "application/json"
        if api_key is not None:
            send["X-API-Key"] = api_key
            if sign and op.mutating:
                send.update(signed_headers(api_key, op.method, url, body, nonce=nonce))
        if cookie is not None:
            send["Cookie"] = cookie
        self.client.cookies.clear()  # only the credentials given here, nothing remembered
        try:
            return self.client.request(op.method, url, content=body or None, headers=send)
        except httpx.HTTPError as exc:
            raise ProbeError(f"{op.name} did not answer: {type(exc).__name__}") from None

    def replay(self, response: httpx.Response) -> httpx.Response:
        """Send exactly the same request again (same headers, nonce and signature)."""
        request = response.request
        return self.client.request(request.method, request.url, content=request.content,
                                   headers=dict(request.headers))


def record(response: httpx.Response, op: Operation, **extra: Any) -> dict[str, Any]:
    """What a check keeps as evidence of one probe (never headers: they carry credentials)."""
    return {"operation": op.name, "url": str(response.request.url.raw_path.decode()),
            "status": response.status_code, "error": responses.error_of(response), **extra}


def is_public(op: Operation, public: tuple[str, ...] = PUBLIC_PATHS) -> bool:
    """Health, metrics and documentation answer without credentials by design."""
    return op.path in public or op.path == LOGIN_PATH


def split_setting(raw: str | None) -> tuple[str, ...] | None:
    """A comma-separated setting, or None when unset."""
    if raw is None or not raw.strip():
        return None
    return tuple(p.strip() for p in raw.split(",") if p.strip())

