"""A session is only as good as its user's row right now.

The session cookie is signed and carries the user's admin bit as it was at sign-in; by
itself it would stay valid until it expires, through a disabled account or a revoked admin
right. The guard asks `refusal()` on every platform request: the user must still exist, not
be disabled, and still hold platform admin if the session was issued as admin.
"""

from __future__ import annotations

from sandbox.api.db import Database
from sandbox.api.principals import PlatformPrincipal

USER_SQL = "SELECT disabled_at IS NULL, is_platform_admin FROM core.users WHERE id = %s"


async def refusal(db: Database, user: PlatformPrincipal) -> str | None:
    """Why this session no longer stands (`user_unknown`, `user_disabled`,
    `admin_revoked`), or None when it does."""
    async with db.admin() as conn:
        cur = await conn.execute(USER_SQL, (user.user_id,))
        row = await cur.fetchone()
    if row is None:
        return "user_unknown"
    active, admin = bool(row[0]), bool(row[1])
    if not active:
        return "user_disabled"
    if user.admin and not admin:
        return "admin_revoked"
    return None
