"""A loopback Azure App Configuration data-plane server (test infrastructure and sandbox).

Microsoft's emulator needs Docker, which these machines lack, so the project's tests and the
sandbox talk to this stand-in with the real `azure-appconfiguration` SDK as client. It speaks
the subset of the protocol in docs/configuration.md and checks requests the way the service does:

- HMAC-SHA256 authentication. String to sign
  `VERB\\n<path and query exactly as sent>\\n<x-ms-date>;<host:port>;<x-ms-content-sha256>`,
  signed headers `x-ms-date;host;x-ms-content-sha256`, key = base64-decoded secret. A bad
  signature, an unknown credential, a body whose sha256 is not the one signed, or a clock
  more than 15 minutes off is answered 401 with `WWW-Authenticate: HMAC-SHA256
  error="invalid_token", error_description="..."`.
- Key-values: `GET|PUT|DELETE /kv/{key}?label=..`, `GET /kv?key=..&label=..` (filters `*`,
  `prefix*`, comma lists, `%00` for the null label; no label parameter on a single key means
  the null label), `PUT|DELETE /locks/{key}`. `If-Match` (quoted etag or `*`) and
  `If-None-Match: *` answer 412 when they do not hold; writes to a locked key answer 409.

State is in memory, optionally persisted to a JSON file after every change.

Command line (serves until SIGTERM/SIGINT; prints one line, the endpoint URL, never the
secret):

    python -m sandbox.appconfig_server --port 0 --credential-id ID --secret-file F \\
        [--create-secret] [--state-file FILE] [--verbose]

In process:

    server, thread, endpoint = start_server("test-id", secret_b64)
    conn = connection_string(endpoint, "test-id", secret_b64)
    ...
    stop_server(server, thread)

Test hooks: `server.before_write(method, key, label)` runs after authentication and before
a PUT/DELETE of a key-value is applied (to play a concurrent writer);
`server.fail_next(status, count)` answers the next authenticated requests with an error;
`server.requests` records method, path, status and the conditional headers of every request.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import collections
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

LOOPBACK = "127.0.0.1"
MAX_SKEW = timedelta(minutes=15)
SIGNED_HEADERS = "x-ms-date;host;x-ms-content-sha256"
DATE_FORMAT = "%b, %d %Y %H:%M:%S.%f GMT"  # what the Python SDK sends in x-ms-date
KV_TYPE = "application/vnd.microsoft.appconfig.kv+json; charset=utf-8"
KVSET_TYPE = "application/vnd.microsoft.appconfig.kvset+json; charset=utf-8"
PROBLEM_TYPE = "application/problem+json; charset=utf-8"
MAX_BODY = 1 << 20

Record = dict[str, Any]
Answer = tuple[int, Any, str, dict[str, str]]  # status, JSON payload, content type, headers
BeforeWrite = Callable[[str, str, str | None], None]


class HttpProblem(Exception):
    """An error answer: status, a one-line detail, optional extra headers."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


# --------------------------------------------------------------------------------------
# Authentication


def new_secret() -> str:
    """A fresh base64 secret of the size the service issues (32 bytes)."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def connection_string(endpoint: str, credential_id: str, secret_b64: str) -> str:
    """The connection string a client needs for this server."""
    return f"Endpoint={endpoint};Id={credential_id};Secret={secret_b64}"


def sign(secret: bytes, method: str, path_and_query: str, date: str, host: str, sha: str) -> str:
    """The HMAC-SHA256 signature the SDK computes (base64), for the verifier and for tests."""
    to_sign = f"{method.upper()}\n{path_and_query}\n{date};{host};{sha}"
    return base64.b64encode(hmac.new(secret, to_sign.encode(), hashlib.sha256).digest()).decode()


def content_sha256(body: bytes) -> str:
    """base64(sha256(body)), the x-ms-content-sha256 header value."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def parse_request_date(value: str) -> datetime:
    """x-ms-date in the SDK's format, or an RFC 1123 date as other clients send."""
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        parsed = parsedate_to_datetime(value)  # raises on garbage
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def verify_hmac(
    *,
    method: str,
    path_and_query: str,
    headers: Any,
    body: bytes,
    credential_id: str,
    secret: bytes,
    now: datetime | None = None,
    max_skew: timedelta = MAX_SKEW,
) -> str | None:
    """None when the request is authentic, else why not (goes into error_description)."""
    auth = headers.get("Authorization") or ""
    scheme, _, params = auth.partition(" ")
    if scheme != "HMAC-SHA256":
        return "Authorization header missing or not HMAC-SHA256"
    fields = dict(part.partition("=")[::2] for part in params.split("&"))
    if not hmac.compare_digest(fields.get("Credential", ""), credential_id):
        return "Invalid credential"
    if fields.get("SignedHeaders", "").lower() != SIGNED_HEADERS:
        return f"SignedHeaders must be {SIGNED_HEADERS}"
    date, host, sha = (headers.get(name) for name in ("x-ms-date", "host", "x-ms-content-sha256"))
    if not (date and host and sha):
        return "Missing x-ms-date, host or x-ms-content-sha256 header"
    expected = sign(secret, method, path_and_query, date, host, sha)
    if not hmac.compare_digest(expected, fields.get("Signature", "")):
        return "Invalid Signature"
    if not hmac.compare_digest(sha, content_sha256(body)):
        return "Content hash does not match the x-ms-content-sha256 header"
    try:
        sent = parse_request_date(date)
    except (TypeError, ValueError):
        return "Invalid x-ms-date"
    if abs((now or datetime.now(UTC)) - sent) > max_skew:
        return "The access token has expired (x-ms-date too far from server time)"
    return None


# --------------------------------------------------------------------------------------
# State


def _now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _etag_matches(header: str, etag: str) -> bool:
    """If-Match / If-None-Match semantics over a comma list of (weak or strong) etags."""
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        candidate = candidate.removeprefix("W/").strip('"')
        if candidate == etag:
            return True
    return False


def _filter_matches(pattern: str | None, value: str | None, *, null_token: bool) -> bool:
    """The service's key/label filters: absent or `*` = any, `a,b` lists, `x*` prefixes."""
    if pattern is None or pattern == "*":
        return True
    for alternative in pattern.split(","):
        if null_token and alternative == "\0":
            if value is None:
                return True
        elif alternative.endswith("*"):
            if value is not None and value.startswith(alternative[:-1]):
                return True
        elif value == alternative:
            return True
    return False


class KeyValueStore:
    """Thread-safe key-values keyed by (key, label), optionally persisted as JSON."""

    def __init__(self, state_file: str | os.PathLike[str] | None = None) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str | None], Record] = {}
        self.state_file = Path(state_file) if state_file else None
        if self.state_file and self.state_file.exists():
            for item in json.loads(self.state_file.read_text(encoding="utf-8"))["items"]:
                self._items[(item["key"], item["label"])] = item

    def get(self, key: str, label: str | None) -> Record | None:
        with self._lock:
            item = self._items.get((key, label))
            return dict(item) if item else None

    def list(self, key_filter: str | None, label_filter: str | None) -> list[Record]:
        with self._lock:
            found = [
                dict(item)
                for (key, label), item in self._items.items()
                if _filter_matches(key_filter, key, null_token=False)
                and _filter_matches(label_filter, label, null_token=True)
            ]
        return sorted(found, key=lambda r: (r["key"], r["label"] is not None, r["label"] or ""))

    def put(
        self,
        key: str,
        label: str | None,
        body: dict[str, Any],
        *,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> Record:
        """Create or replace, honouring preconditions and locks (412 / 409)."""
        with self._lock:
            current = self._items.get((key, label))
            self._check_preconditions(current, if_match, if_none_match)
            if current and current["locked"]:
                raise HttpProblem(409, f"The key-value {key!r} is read only")
            item = {
                "key": key,
                "label": label,
                "value": body.get("value"),
                "content_type": body.get("content_type"),
                "tags": body.get("tags") or {},
                "locked": False,
                "etag": uuid.uuid4().hex,
                "last_modified": _now_rfc3339(),
            }
            self._items[(key, label)] = item
            self._save()
            return dict(item)

    def delete(self, key: str, label: str | None, *, if_match: str | None = None) -> Record | None:
        with self._lock:
            current = self._items.get((key, label))
            self._check_preconditions(current, if_match, None)
            if current is None:
                return None
            if current["locked"]:
                raise HttpProblem(409, f"The key-value {key!r} is read only")
            del self._items[(key, label)]
            self._save()
            return dict(current)

    def set_locked(
        self, key: str, label: str | None, locked: bool, *, keep_etag: bool = False
    ) -> Record:
        """Lock or unlock; `keep_etag` lets a test play a service that keeps the etag."""
        with self._lock:
            current = self._items.get((key, label))
            if current is None:
                raise HttpProblem(404, f"The key-value {key!r} was not found")
            current.update(locked=locked, last_modified=_now_rfc3339())
            if not keep_etag:
                current["etag"] = uuid.uuid4().hex
            self._save()
            return dict(current)

    @staticmethod
    def _check_preconditions(
        current: Record | None, if_match: str | None, if_none_match: str | None
    ) -> None:
        if if_match is not None and (
            current is None or not _etag_matches(if_match, current["etag"])
        ):
            raise HttpProblem(412, "The If-Match precondition failed")
        if (
            if_none_match is not None
            and current is not None
            and _etag_matches(if_none_match, current["etag"])
        ):
            raise HttpProblem(412, "The If-None-Match precondition failed")

    def _save(self) -> None:
        """Atomic rewrite of the state file (caller holds the lock)."""
        if self.state_file is None:
            return
        text = json.dumps({"items": list(self._items.values())}, indent=2, sort_keys=True)
        fd, tmp = tempfile.mkstemp(prefix=".appconfig-", dir=self.state_file.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        os.replace(tmp, self.state_file)


# --------------------------------------------------------------------------------------
# HTTP


def _render(item: Record) -> dict[str, Any]:
    """A key-value as the service's JSON shows it."""
    fields = ("key", "label", "content_type", "value", "last_modified", "tags", "locked", "etag")
    return {name: item.get(name) for name in fields}


class AppConfigServer(ThreadingHTTPServer):
    """The HTTP server plus the state, credential and test hooks the handler reads."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        credential_id: str,
        secret_b64: str,
        state_file: str | os.PathLike[str] | None = None,
        max_skew: timedelta = MAX_SKEW,
        verbose: bool = False,
    ) -> None:
        self.credential_id = credential_id
        self._secret = base64.b64decode(secret_b64, validate=True)
        self.store = KeyValueStore(state_file)
        self.max_skew = max_skew
        self.verbose = verbose
        self.before_write: BeforeWrite | None = None
        self._failures: collections.deque[int] = collections.deque()
        self.requests: collections.deque[dict[str, Any]] = collections.deque(maxlen=1000)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, AppConfigHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track keep-alive connections so stopping really stops (see close_connections)."""
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut open keep-alive connections; otherwise a stopped server still answers on them."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def fail_next(self, status: int, count: int = 1) -> None:
        """Answer the next `count` authenticated requests with `status` (403, 503, ...)."""
        self._failures.extend([status] * count)

    def take_failure(self) -> int | None:
        """The status queued by fail_next for this request, if any (thread-safe pop)."""
        try:
            return self._failures.popleft()
        except IndexError:
            return None

    @property
    def endpoint(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def __repr__(self) -> str:  # never the secret
        return f"<AppConfigServer {self.endpoint} credential={self.credential_id!r}>"


class AppConfigHandler(BaseHTTPRequestHandler):
    """One request: authenticate, route, answer JSON."""

    server: AppConfigServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server_version = "solvereign-appconfig-loopback/1"

    def do_GET(self) -> None:
        self._handle("GET")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Request lines only when verbose; headers (and so Authorization) never."""
        if self.server.verbose:
            sys.stderr.write(f"appconfig-server: {format % args}\n")

    def _handle(self, method: str) -> None:
        """Answer one request; it is recorded before the answer goes out, so a test that
        has its response can rely on `server.requests` already holding it."""
        try:
            body = self._read_body()
            self._authenticate(method, body)
            forced = self.server.take_failure()
            if forced is not None:
                raise HttpProblem(forced, "Failure injected by the test")
            answer = self._route(method, body)
        except HttpProblem as problem:
            answer = self._problem(problem)
        except Exception as exc:  # a failing test hook must not hang the client
            self.close_connection = True
            answer = self._problem(HttpProblem(500, f"Internal error ({type(exc).__name__})"))
        self.server.requests.append(
            {
                "method": method,
                "path": self.path,
                "status": answer[0],
                "if_match": self.headers.get("If-Match"),
                "if_none_match": self.headers.get("If-None-Match"),
            }
        )
        self._send(*answer)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise HttpProblem(411, "Chunked bodies are not supported; send Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            raise HttpProblem(400, "Invalid Content-Length") from None
        if length > MAX_BODY:
            self.close_connection = True
            raise HttpProblem(413, "Body too large")
        return self.rfile.read(length) if length else b""

    def _authenticate(self, method: str, body: bytes) -> None:
        problem = verify_hmac(
            method=method,
            path_and_query=self.path,
            headers=self.headers,
            body=body,
            credential_id=self.server.credential_id,
            secret=self.server._secret,
            max_skew=self.server.max_skew,
        )
        if problem is not None:
            challenge = f'HMAC-SHA256 error="invalid_token", error_description="{problem}"'
            raise HttpProblem(401, problem, {"WWW-Authenticate": challenge})

    def _route(self, method: str, body: bytes) -> Answer:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if "api-version" not in query:
            raise HttpProblem(400, "The api-version query parameter is required")
        label = query.get("label")
        label = None if label in (None, "", "\0") else label
        if url.path == "/kv" and method == "GET":
            items = self.server.store.list(query.get("key"), query.get("label"))
            return 200, {"items": [_render(i) for i in items]}, KVSET_TYPE, {}
        for prefix in ("/kv/", "/locks/"):
            if url.path.startswith(prefix) and len(url.path) > len(prefix):
                key = unquote(url.path[len(prefix) :])
                if prefix == "/kv/":
                    return self._key_value(method, key, label, body)
                return self._lock(method, key, label)
        raise HttpProblem(404, "No such resource")

    def _key_value(self, method: str, key: str, label: str | None, body: bytes) -> Answer:
        store = self.server.store
        if_match = self.headers.get("If-Match")
        if_none_match = self.headers.get("If-None-Match")
        if method == "GET":
            item = store.get(key, label)
            if item is None:
                raise HttpProblem(404, f"The key-value {key!r} was not found")
            if if_match is not None and not _etag_matches(if_match, item["etag"]):
                raise HttpProblem(412, "The If-Match precondition failed")
            if if_none_match is not None and _etag_matches(if_none_match, item["etag"]):
                return 304, None, KV_TYPE, {"ETag": f'"{item["etag"]}"'}
            return 200, _render(item), KV_TYPE, {"ETag": f'"{item["etag"]}"'}
        if self.server.before_write is not None:
            self.server.before_write(method, key, label)
        if method == "PUT":
            try:
                document = json.loads(body or b"{}")
            except ValueError:
                raise HttpProblem(400, "The body is not valid JSON") from None
            if not isinstance(document, dict):
                raise HttpProblem(400, "The body must be a JSON object")
            item = store.put(key, label, document, if_match=if_match, if_none_match=if_none_match)
            return 200, _render(item), KV_TYPE, {"ETag": f'"{item["etag"]}"'}
        deleted = store.delete(key, label, if_match=if_match)
        if deleted is None:
            return 204, None, KV_TYPE, {}
        return 200, _render(deleted), KV_TYPE, {"ETag": f'"{deleted["etag"]}"'}

    def _lock(self, method: str, key: str, label: str | None) -> Answer:
        if method == "GET":
            raise HttpProblem(405, "Locks support PUT and DELETE only")
        item = self.server.store.set_locked(key, label, locked=(method == "PUT"))
        return 200, _render(item), KV_TYPE, {"ETag": f'"{item["etag"]}"'}

    def _send(self, status: int, payload: Any, content_type: str, headers: dict[str, str]) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if data:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    @staticmethod
    def _problem(problem: HttpProblem) -> Answer:
        """An application/problem+json answer."""
        payload = {
            "type": "about:blank",
            "title": HTTPStatus(problem.status).phrase,
            "status": problem.status,
            "detail": problem.detail,
        }
        return problem.status, payload, PROBLEM_TYPE, problem.headers


# --------------------------------------------------------------------------------------
# Running it


def start_server(
    credential_id: str,
    secret_b64: str,
    *,
    port: int = 0,
    state_file: str | os.PathLike[str] | None = None,
    max_skew: timedelta = MAX_SKEW,
    verbose: bool = False,
) -> tuple[AppConfigServer, threading.Thread, str]:
    """Serve on 127.0.0.1:port (0 = any free port) in a daemon thread."""
    server = AppConfigServer(
        (LOOPBACK, port),
        credential_id=credential_id,
        secret_b64=secret_b64,
        state_file=state_file,
        max_skew=max_skew,
        verbose=verbose,
    )
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="appconfig-server", daemon=True
    )
    thread.start()
    return server, thread, server.endpoint


def stop_server(server: AppConfigServer, thread: threading.Thread) -> None:
    """Stop serving and release the port."""
    server.shutdown()
    server.server_close()
    server.close_connections()
    thread.join(timeout=5)


def _read_secret(path: Path, create: bool) -> str:
    """The base64 secret from `path`; created (mode 0600) when asked and missing."""
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(new_secret() + "\n")
    try:
        secret = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise SystemExit(f"--secret-file {path} does not exist (add --create-secret)") from None
    except (OSError, UnicodeDecodeError):
        raise SystemExit(f"--secret-file {path} cannot be read as ASCII text") from None
    try:
        if not base64.b64decode(secret, validate=True):
            raise ValueError
    except (binascii.Error, ValueError):
        raise SystemExit(f"--secret-file {path} does not hold a base64 secret") from None
    return secret


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM or SIGINT; print the endpoint (one line) once listening."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.appconfig_server")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = any)")
    parser.add_argument("--credential-id", required=True, help="the connection string's Id")
    parser.add_argument("--secret-file", required=True, type=Path, help="file holding Secret")
    parser.add_argument("--create-secret", action="store_true", help="create a missing secret")
    parser.add_argument("--state-file", type=Path, help="persist key-values to this JSON file")
    parser.add_argument("--verbose", action="store_true", help="log request lines to stderr")
    args = parser.parse_args(argv)
    try:
        secret = _read_secret(args.secret_file, args.create_secret)
        server, thread, endpoint = start_server(
            args.credential_id,
            secret,
            port=args.port,
            state_file=args.state_file,
            verbose=args.verbose,
        )
    except SystemExit as exc:
        print(f"appconfig-server: error: {exc.code}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"appconfig-server: error: cannot listen on port {args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 2
    except (ValueError, KeyError) as exc:
        print(
            f"appconfig-server: error: state file unusable ({type(exc).__name__})", file=sys.stderr
        )
        return 2
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(endpoint, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        while not stop.wait(0.5):
            pass
    stop_server(server, thread)
    return 0


if __name__ == "__main__":
    sys.exit(main())
