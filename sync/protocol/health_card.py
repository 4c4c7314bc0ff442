"""The signed vaccination record as a SMART Health Card (issue #18 part 3): how it is encoded, and
how anyone checks it. Both ends use it: the server signs (`backend_stub/services/health_card.py`),
the app shows the QR code, a verifier needs only this module and the issuer's public keys.

A card is a compact JWS (RFC 7515): header `{"alg": "ES256", "zip": "DEF", "kid": <JWK thumbprint>}`,
payload the raw-DEFLATE of the JSON `{"iss", "nbf", "vc": {"type", "credentialSubject":
{"fhirVersion", "fhirBundle"}}}` (SMART Health Cards Framework, "Health Cards are encoded as
Compact Serialization JSON Web Signatures"). Its QR code holds `shc:/` then every character of
the JWS as two digits, `ord(c) - 45`. The issuer publishes its keys at `<iss>/.well-known/jwks.json`.

Why SMART Health Card and not the EU Digital COVID Certificate format: the EU format (CBOR/COSE,
base45) is defined for COVID-19 events and its trust list is run by the EU gateway for member
states' issuers; a SMART Health Card carries any immunization as plain FHIR, is read by existing
wallets and verifier apps, and is checked with a published JWKS, which a national insurer can host.
"""

import base64
import hashlib
import json
import zlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

__all__ = [
    "CARD_TYPES",
    "CardInvalid",
    "from_qr",
    "jwk_of",
    "payload_of",
    "sign",
    "to_qr",
    "verify",
]

CARD_TYPES = ["https://smarthealth.cards#health-card", "https://smarthealth.cards#immunization"]
PREFIX = "shc:/"


class CardInvalid(ValueError):
    """Not a card, or a card whose signature does not hold (modified, or not from this issuer)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _coordinate(n: int) -> str:
    return _b64(n.to_bytes(32, "big"))


def jwk_of(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The public JWK of a P-256 key, its `kid` the RFC 7638 thumbprint (as the framework asks)."""
    numbers = key.public_numbers()
    core = {"crv": "P-256", "kty": "EC", "x": _coordinate(numbers.x), "y": _coordinate(numbers.y)}
    thumbprint = hashlib.sha256(json.dumps(core, separators=(",", ":"), sort_keys=True).encode()).digest()
    return core | {"kid": _b64(thumbprint), "use": "sig", "alg": "ES256"}


def _public(jwk: dict[str, str]) -> ec.EllipticCurvePublicKey:
    x, y = (int.from_bytes(_unb64(jwk[c]), "big") for c in ("x", "y"))
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def sign(payload: dict[str, Any], key: ec.EllipticCurvePrivateKey) -> str:
    """The compact JWS of a card payload (ES256: the signature is r || s, 32 bytes each)."""
    kid = jwk_of(key.public_key())["kid"]
    header = _b64(json.dumps({"alg": "ES256", "zip": "DEF", "kid": kid}, separators=(",", ":")).encode())
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw DEFLATE, no zlib header
    packed = deflate.compress(json.dumps(payload, separators=(",", ":")).encode()) + deflate.flush()
    signing_input = f"{header}.{_b64(packed)}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def to_qr(jws: str) -> str:
    """The QR code's content: `shc:/` and two digits per character."""
    return PREFIX + "".join(f"{ord(c) - 45:02d}" for c in jws)


def from_qr(text: str) -> str:
    """The JWS in a QR code's content (or the JWS itself, passed as it is)."""
    text = text.strip()
    if not text.startswith(PREFIX):
        return text
    digits = text[len(PREFIX) :]
    if len(digits) % 2 or not digits.isdigit():
        raise CardInvalid("not a SMART Health Card QR code")
    return "".join(chr(int(digits[i : i + 2]) + 45) for i in range(0, len(digits), 2))


def _parts(jws: str) -> tuple[dict[str, Any], bytes, bytes, str]:
    try:
        header_b64, payload_b64, signature_b64 = jws.split(".")
        header = json.loads(_unb64(header_b64))
        return header, _unb64(payload_b64), _unb64(signature_b64), f"{header_b64}.{payload_b64}"
    except (ValueError, TypeError) as exc:
        raise CardInvalid("not a compact JWS") from exc


def payload_of(jws: str) -> dict[str, Any]:
    """The payload, NOT checked: for showing a card before (or without) verifying it."""
    header, packed, _, _ = _parts(jws)
    try:
        raw = zlib.decompress(packed, -15) if header.get("zip") == "DEF" else packed
        payload: dict[str, Any] = json.loads(raw)
    except (zlib.error, ValueError) as exc:
        raise CardInvalid("payload unreadable") from exc
    return payload


def verify(jws: str, jwks: dict[str, Any], issuer: str) -> dict[str, Any]:
    """The payload of a card signed by one of the issuer's keys; CardInvalid for anything else: a
    changed character, another issuer, an unknown key, a card that is not an immunization card."""
    header, _, signature, signing_input = _parts(jws)
    if header.get("alg") != "ES256" or len(signature) != 64:
        raise CardInvalid("not an ES256 signature")
    key = next((k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")), None)
    if key is None:
        raise CardInvalid("unknown key")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        _public(key).verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError) as exc:
        raise CardInvalid("signature does not hold") from exc
    payload = payload_of(jws)
    if payload.get("iss") != issuer or payload.get("vc", {}).get("type") != CARD_TYPES:
        raise CardInvalid("not this issuer's vaccination card")
    return payload
