"""The holder's vaccinations as a signed SMART Health Card (EHDS, issue #18 part 3).

The server is the issuer: it signs what the holder's space holds (`sync/protocol/health_card.py`
says the format and why), with P-256 keys derived from the seeds of `ENS_CARD_SIGNING_KEYS` (the
first signs, the others still verify; `new-master-key card2` makes one). Each vaccination says who
recorded it: `primarySource` true for a professional's entry, false with "saisi par le patient"
for one the holder typed (the card proves it was in their space, not that the injection happened).
"""

from datetime import UTC, date
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import Session, col, select

from backend_stub.context import Context
from backend_stub.models.accounts import Holder
from backend_stub.models.record import Record
from backend_stub.sealed_blobs import MasterKeys
from backend_stub.services import gatekeeper
from sync.protocol import health_card
from sync.protocol.profile import vaccines
from sync.protocol.rights_schemas import HealthCardOut

MAX_ENTRIES = 500
CVX_FREE = "https://monespacesante.example/fhir/vaccine"  # our vaccine codes (assets/reference/vaccines.json)


def _keys(ctx: Context) -> tuple[str, dict[str, ec.EllipticCurvePrivateKey]]:
    if not ctx.settings.card_signing_keys:
        raise ValueError("ENS_CARD_SIGNING_KEYS must be set to sign vaccination records")
    keys = MasterKeys.parse(ctx.settings.card_signing_keys)
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # of P-256
    private = {
        kid: ec.derive_private_key(int.from_bytes(seed, "big") % (order - 1) + 1, ec.SECP256R1())
        for kid, seed in keys.keys.items()
    }
    return keys.current, private


def issuer(ctx: Context) -> str:
    return f"{ctx.settings.public_api_url.rstrip('/')}/api/v1/issuer"


def jwks(ctx: Context) -> dict[str, Any]:
    """The issuer's public keys, as verifiers fetch them from `<iss>/.well-known/jwks.json`."""
    _, private = _keys(ctx)
    return {"keys": [health_card.jwk_of(key.public_key()) for key in private.values()]}


def _immunization(n: int, record: Record) -> dict[str, Any]:
    d = record.data
    code = str(d.get("vaccine", ""))
    names = next((v for v in vaccines() if v["code"] == code), {})
    mine = record.author == "holder"
    resource: dict[str, Any] = {
        "resourceType": "Immunization",
        "status": "completed",
        "vaccineCode": {"coding": [{"system": CVX_FREE, "code": code}], "text": str(names.get("fr", code))},
        "patient": {"reference": "resource:0"},
        "occurrenceDateTime": str(d.get("date", "")),
        "primarySource": not mine,
    }
    if mine:
        resource["reportOrigin"] = {"text": "saisi par le patient"}
    else:
        resource["performer"] = [{"actor": {"display": str(d.get("author_name", ""))}}]
    if d.get("batch"):
        resource["lotNumber"] = str(d["batch"])
    return {"fullUrl": f"resource:{n}", "resource": resource}


def card_for(*, session: Session, ctx: Context, holder: Holder) -> HealthCardOut:
    """Sign the vaccinations the member asking sees, oldest first."""
    rows = session.exec(
        select(Record)
        .where(
            Record.holder_id == holder.id,
            Record.collection == "profile_entry",
            col(Record.deleted).is_(False),
        )
        .order_by(col(Record.seq))
        .limit(MAX_ENTRIES)
    ).all()
    shots = [r for r in rows if r.data.get("section") == "vaccination" and gatekeeper.visible(r)]
    shots.sort(key=lambda r: str(r.data.get("date", "")))
    patient = {
        "resourceType": "Patient",
        "name": [{"family": holder.last_name, "given": [holder.first_name]}],
        "birthDate": holder.birth_date.isoformat() if isinstance(holder.birth_date, date) else "",
    }
    now = ctx.clock.now()
    payload = {
        "iss": issuer(ctx),
        "nbf": int(now.astimezone(UTC).timestamp()),
        "vc": {
            "type": health_card.CARD_TYPES,
            "credentialSubject": {
                "fhirVersion": "4.0.1",
                "fhirBundle": {
                    "resourceType": "Bundle",
                    "type": "collection",
                    "entry": [
                        {"fullUrl": "resource:0", "resource": patient},
                        *[_immunization(n, r) for n, r in enumerate(shots, start=1)],
                    ],
                },
            },
        },
    }
    current, private = _keys(ctx)
    jws = health_card.sign(payload, private[current])
    return HealthCardOut(jws=jws, qr=health_card.to_qr(jws), vaccinations=len(shots), issued_at=now)
