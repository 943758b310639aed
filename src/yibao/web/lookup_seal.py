"""The look-up's answer sealed for the language toggle, so switching language shows the same
answer without a second look-up.

    token = seal(view, key)            # in the toggle's hidden field
    view = unseal(token, key)          # the same LookupView (None: nobody matched);
                                       # NotReadable when altered or expired

A look-up is counted against the per-number limit and audited; reading the answer again in
the other language is not a look-up. The token holds only what the page already shows (the
masked view, never the full ID number), compressed, with the time it was made and an HMAC
under the server's signing key: a token cannot be forged or altered, and it expires after
:data:`MAX_AGE` seconds (the resident then looks up again). Nothing is stored on the server,
so every worker process can read it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import zlib

from pydantic import TypeAdapter, ValidationError

from yibao.web.lookup_view import LookupView

__all__ = ["MAX_AGE", "NotReadable", "seal", "unseal"]

#: seconds a sealed answer stays readable (30 minutes)
MAX_AGE = 1800
_VIEW: TypeAdapter[LookupView | None] = TypeAdapter(LookupView | None)
_LABEL = b"yibao lookup answer v1"


class NotReadable(ValueError):
    """A token this server did not seal, altered, or older than :data:`MAX_AGE`."""


def _mac(key: str, body: bytes) -> bytes:
    return hmac.new(hashlib.sha256(_LABEL + key.encode()).digest(), body, "sha256").digest()


def seal(view: LookupView | None, key: str, *, now: float | None = None) -> str:
    """The view (None: the look-up matched nobody) as a URL-safe token: compressed JSON with
    its time, then the HMAC."""
    made = int(time.time() if now is None else now)
    body = zlib.compress(json.dumps({"t": made, "v": _VIEW.dump_python(view, mode="json")},
                                    ensure_ascii=False, separators=(",", ":")).encode(), 9)
    return base64.urlsafe_b64encode(body + _mac(key, body)).decode().rstrip("=")


def unseal(token: str, key: str, *, now: float | None = None) -> LookupView | None:
    """The view of a token this server sealed less than :data:`MAX_AGE` seconds ago;
    :class:`NotReadable` for anything else (altered, expired, another key, not a token)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise NotReadable("not a token") from None
    body, mac = raw[:-32], raw[-32:]
    if len(raw) <= 32 or not hmac.compare_digest(mac, _mac(key, body)):
        raise NotReadable("not sealed here")
    try:
        data = json.loads(zlib.decompress(body))
        made = int(data["t"])
        view = _VIEW.validate_python(data["v"])
    except (zlib.error, ValueError, KeyError, TypeError, ValidationError):
        raise NotReadable("not a sealed answer") from None
    age = (time.time() if now is None else now) - made
    if not 0 <= age <= MAX_AGE:
        raise NotReadable("expired")
    return view
