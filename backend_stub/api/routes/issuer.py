"""The issuer of signed vaccination records: its public keys, where any verifier fetches them."""

from typing import Any

from fastapi import APIRouter

from backend_stub.api.deps import ContextDep
from backend_stub.services import health_card

router = APIRouter(prefix="/issuer", tags=["rights"])


@router.get("/.well-known/jwks.json")
def keys(ctx: ContextDep) -> dict[str, Any]:
    """The public keys that sign SMART Health Cards (SMART Health Cards Framework, "Issuer keys")."""
    return health_card.jwks(ctx)
