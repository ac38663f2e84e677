"""Verifying platform users' password hashes (`scrypt$n$r$p$salt$hash`, base64 parts)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

MAX_N = 2**17  # refuse absurd cost parameters rather than burn memory on them
_DUMMY = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + base64.b64encode(bytes(32)).decode()


def verify(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; an unknown user costs the same time."""
    target = stored or _DUMMY
    try:
        kind, n, r, p, salt, digest = target.split("$")
        n_i, r_i, p_i = int(n), int(r), int(p)
        salt_b, digest_b = base64.b64decode(salt), base64.b64decode(digest)
    except (ValueError, binascii.Error):
        return False
    if kind != "scrypt" or not (2 <= n_i <= MAX_N and 1 <= r_i <= 16 and 1 <= p_i <= 4):
        return False
    got = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt_b, n=n_i, r=r_i,
                         p=p_i, dklen=len(digest_b), maxmem=256 * 1024 * 1024)
    return stored is not None and hmac.compare_digest(got, digest_b)
