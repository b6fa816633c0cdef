"""Keys the pages derive from the site's secret (CARELOOP_SECRET_KEY), one per purpose.

Every process of one site derives the same key from the same secret (docs/security.md:
several processes of one site need it, `careloop serve --workers` shares one); without a
secret each process draws a random key of its own, so nothing it signs is forgeable from
a default. One key per purpose: a token made for one use never passes for another.
"""

from __future__ import annotations

import hashlib
import secrets

from fastapi import FastAPI


def site_key(app: FastAPI, purpose: str) -> bytes:
    state = app.state
    keys: dict[str, bytes] | None = getattr(state, "site_keys", None)
    if keys is None:
        keys = state.site_keys = {}
    key = keys.get(purpose)
    if key is None:
        configured: str = getattr(state.settings, "secret_key", "")
        key = (
            hashlib.sha256(f"careloop-{purpose}|{configured}".encode()).digest()
            if configured
            else secrets.token_bytes(32)
        )
        keys[purpose] = key
    return key
