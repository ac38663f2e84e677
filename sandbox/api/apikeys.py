"""API keys: the stored digest and the lookup through the schema's definer function.

Keys are stored only as lowercase hex HMAC-SHA256(SOLVEREIGN_HMAC_SECRET, key); the API
hashes the presented key and asks `core.resolve_api_key(digest)` (SECURITY DEFINER, so it
works before any tenant context exists). A tenant that is present but suspended is refused
here as well, whatever the function does (the baseline's function does not check it).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from sandbox.api.db import Database
from sandbox.api.principals import TenantPrincipal

_PLAUSIBLE = re.compile(r"^[A-Za-z0-9_\-]{16,256}$")


def digest(hmac_secret: str, key: str) -> str:
    """The stored form of a key."""
    return hmac.new(hmac_secret.encode(), key.encode(), hashlib.sha256).hexdigest()


async def resolve(db: Database, hmac_secret: str, key: str) -> TenantPrincipal | None:
    """The tenant principal of a live key of an active tenant, else None."""
    if not _PLAUSIBLE.match(key):
        return None  # not worth a database round trip
    async with db.no_tenant() as conn:
        cur = await conn.execute(
            "SELECT tenant_id, api_key_id, scopes FROM core.resolve_api_key(%s)",
            (digest(hmac_secret, key),))
        row = await cur.fetchone()
    if row is None:
        return None
    principal = TenantPrincipal(tenant=row[0], key_id=row[1], key_prefix=key[:12],
                                scopes=tuple(row[2] or ()), secret_key=key)
    async with db.tenant(principal.tenant) as conn:
        cur = await conn.execute("SELECT is_active FROM core.tenants WHERE id = %s",
                                 (principal.tenant,))
        active = await cur.fetchone()
    if active is not None and not active[0]:
        return None
    return principal
