"""Small request helpers shared by the API tests."""

from __future__ import annotations

import json

import httpx

from cutover.api.probe import signed_headers

OPS = "ops@solvereign.example"
SUPPORT = "support@solvereign.example"


def signed(client: httpx.Client, key: str, method: str, path: str, body: object, *,
           nonce: str | None = None, timestamp: int | None = None,
           sign_key: str | None = None) -> httpx.Response:
    """A signed pack write (the scheme the API documents)."""
    raw = json.dumps(body).encode()
    headers = {"X-API-Key": key, "Content-Type": "application/json",
               **signed_headers(sign_key or key, method, path, raw, nonce=nonce,
                                timestamp=timestamp)}
    return client.request(method, path, content=raw, headers=headers)


def login(client: httpx.Client, seed_data, email: str = OPS) -> str:
    """A Cookie header value for a platform user of the seed."""
    response = client.post("/api/v1/platform/login",
                           json={"email": email, "password": seed_data.user_passwords[email]})
    assert response.status_code == 200, response.text
    client.cookies.clear()  # every test says explicitly which credentials it sends
    return f"solvereign_session={response.cookies['solvereign_session']}"
