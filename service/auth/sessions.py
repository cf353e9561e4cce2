"""Login sessions for the web form: a signed, expiring cookie naming the key (by its SHA-256).

The cookie is HttpOnly and SameSite=Strict; it is accepted on the pages, on the CSRF-protected
``/ui`` endpoints and for reads (GET) of the REST API, never for REST writes, which need the key.
Workers share sessions through ``BRANDCHECK_SECRET_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

SESSION_COOKIE = "brandcheck_session"


def _sign(secret: bytes, body: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode().rstrip("=")


def issue_session(secret: bytes, key_digest: str, lifetime_seconds: int) -> str:
    """A cookie value for a logged-in key, valid for ``lifetime_seconds``."""
    body = json.dumps({"k": key_digest, "exp": int(time.time()) + lifetime_seconds}, separators=(",", ":")).encode()
    encoded = base64.urlsafe_b64encode(body).decode().rstrip("=")
    return f"{encoded}.{_sign(secret, body)}"


def read_session(secret: bytes, value: str) -> str | None:
    """The key digest of a valid, unexpired cookie; None for anything else."""
    encoded, _, signature = value.partition(".")
    try:
        body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _sign(secret, body)):
        return None
    try:
        data = json.loads(body)
        digest, expires = str(data["k"]), int(data["exp"])
    except (ValueError, KeyError, TypeError):
        return None
    return digest if expires > time.time() else None
