"""The patient summary shared as a SMART Health Link (issue #18 part 2), made on the device.

The summary (an IPS Bundle, `sync/export/ips.py`) is encrypted here as a compact JWE (`dir`,
`A256GCM`, raw-DEFLATE before encryption) under a random 256-bit key; the server gets the JWE only,
with a share link whose code is the passcode. The key travels only inside the `shlink:/` (and its QR
code): whoever holds the link, the code, and the link's time can read it, the server never can.

    shlink:/ + base64url({"url": <manifest>, "key": <43 chars>, "exp": <epoch s>, "flag": "P",
                          "label": ..., "v": 1})            (SMART Health Links specification)

Recipients without an SHL viewer use the same link's page and code for the chosen documents.
"""

import base64
import json
import secrets
import zlib

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sync.client import AccountClient
from sync.protocol.record_schemas import ShareCreated

__all__ = ["encrypt", "share"]

PREFIX = "shlink:/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def encrypt(content: bytes, key: bytes, content_type: str = "application/fhir+json") -> str:
    """A compact JWE of `content` (alg dir, enc A256GCM, zip DEF): header..iv.ciphertext.tag."""
    header = _b64(json.dumps({"alg": "dir", "enc": "A256GCM", "cty": content_type, "zip": "DEF"}).encode())
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflate.compress(content) + deflate.flush()
    iv = secrets.token_bytes(12)
    sealed = AESGCM(key).encrypt(iv, packed, header.encode("ascii"))  # AAD: the protected header
    return f"{header}..{_b64(iv)}.{_b64(sealed[:-16])}.{_b64(sealed[-16:])}"


def share(
    client: AccountClient, summary: bytes, *, days: int, label: str, document_ids: list[str] | None = None
) -> tuple[ShareCreated, str]:
    """Create the link (the encrypted summary and any documents chosen) and its `shlink:/`."""
    key = secrets.token_bytes(32)
    created = client.create_share(document_ids or [], days, label, shl_file=encrypt(summary, key))
    payload = {
        "url": f"{created.url}/manifest",
        "key": _b64(key),
        "exp": int(created.expires_at.timestamp()),
        "flag": "P",  # a passcode: the link's code, given another way
        "label": label[:80],
        "v": 1,
    }
    return created, PREFIX + _b64(json.dumps(payload, separators=(",", ":")).encode())
