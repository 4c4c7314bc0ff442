"""Builds the FastAPI application: routes under /api/v1, error mapping, body limit."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from backend_stub.api import files
from backend_stub.api.headers import SecurityHeaders
from backend_stub.api.limits import BodySizeLimit
from backend_stub.api.routes import (
    access_log,
    account,
    activation,
    administrative,
    app_api,
    auth,
    children,
    delegations,
    health_links,
    issuer,
    messages,
    oauth,
    pro,
    pro_corrections,
    pro_messages,
    pro_profile,
    professionals,
    reimbursements,
    rights,
    shares,
    space,
    sync,
    uploads,
)
from backend_stub.context import Context, build_context
from backend_stub.core.config import get_settings
from backend_stub.errors import DomainError
from backend_stub.sealed_blobs import BlobDamaged
from backend_stub.services.message_queue import QueueSender
from backend_stub.services.uploads import MAX_CHUNK
from sync.protocol.errors import ErrorCode

API_PREFIX = "/api/v1"
RETRY_AFTER = 5  # seconds a client waits when the database is out of reach
log = logging.getLogger(__name__)


@asynccontextmanager
async def _checkpointing(ctx: Context) -> AsyncIterator[None]:
    """While the server runs, write the access logs' pending heads every `checkpoint_seconds`
    even when no entry comes to trigger it; write the last ones on the way out."""

    async def every_while() -> None:
        while True:
            await asyncio.sleep(ctx.settings.checkpoint_seconds)
            await run_in_threadpool(ctx.evidence.checkpoints.flush)

    task = asyncio.create_task(every_while())
    try:
        yield
    finally:
        task.cancel()
        ctx.evidence.checkpoints.flush()


def create_app(ctx: Context | None = None) -> FastAPI:
    """The server; tests pass their own context (fixed clock, temporary database, outbox)."""
    ctx = ctx or build_context(get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """While serving: this process's sender of queued letters and codes, and its checkpoints of
        the access logs' heads."""
        sender = QueueSender(ctx) if ctx.settings.queue_drain_seconds > 0 else None
        if sender is not None:
            sender.start()
        app.state.sender = sender
        async with _checkpointing(ctx):
            yield
        if sender is not None:
            sender.stop()

    public_docs = ctx.settings.env != "production"  # the API's map is for developers, not the world
    app = FastAPI(
        title="Mon espace santé — API",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json" if public_docs else None,
        docs_url=f"{API_PREFIX}/docs" if public_docs else None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    for module in (activation, auth, space, sync, uploads, professionals, access_log, pro, reimbursements):
        app.include_router(module.router, prefix=API_PREFIX)
    for module in (administrative, pro_profile):  # administrative data; professionals and the profile
        app.include_router(module.router, prefix=API_PREFIX)

    for module in (messages, pro_messages):  # secure messaging
        app.include_router(module.router, prefix=API_PREFIX)
    for module in (oauth, app_api):  # the catalogue of apps, their consents and their API
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(shares.router, prefix=API_PREFIX)  # share links of documents
    app.include_router(children.router, prefix=API_PREFIX)  # parents and their minor children's spaces
    app.include_router(account.router, prefix=API_PREFIX)  # password, contacts, devices
    for module in (
        rights,
        pro_corrections,
        issuer,
        health_links,
    ):  # a person's rights over their health data (issue #18)
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(delegations.router, prefix=API_PREFIX)  # helpers (aidants) and those they help

    @app.get(f"{API_PREFIX}/health", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness probe for the load balancer; says nothing about anyone."""
        return {"status": "ok"}

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": str(exc.params["retry_after"])} if "retry_after" in exc.params else None
        return JSONResponse({"code": exc.code.value, "params": exc.params}, exc.status, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = sorted({".".join(str(p) for p in err["loc"][1:]) for err in exc.errors()})
        return JSONResponse({"code": ErrorCode.REQUEST_INVALID.value, "params": {"fields": fields}}, 422)

    async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
        """The database is out of reach (down, restarting, saturated): a clear 503, not a trace;
        the pool's pre-ping reconnects by itself once it is back."""
        log.warning("database unavailable: %s", type(exc).__name__)  # no message: it may hold SQL values
        body = {"code": ErrorCode.SERVER_UNAVAILABLE.value, "params": {"retry_after": RETRY_AFTER}}
        return JSONResponse(body, 503, {"Retry-After": str(RETRY_AFTER)})

    for unreachable in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(unreachable, _unavailable)

    @app.exception_handler(DataError)
    async def _unstorable(_: Request, exc: DataError) -> JSONResponse:
        """A value the database cannot hold (a NUL byte in a text, say): the request is at fault, and
        its transaction was rolled back."""
        log.info("refused data: %s", type(exc.orig).__name__)
        return JSONResponse({"code": ErrorCode.REQUEST_INVALID.value, "params": {}}, 422)

    app.add_exception_handler(BlobDamaged, files.damaged)  # a sealed file failed its check

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled %s", type(exc).__name__)  # no message: it may hold personal data
        return JSONResponse({"code": ErrorCode.SERVER_ERROR.value, "params": {}}, 500)

    app.add_middleware(
        BodySizeLimit,
        max_bytes=ctx.settings.max_body_bytes,
        larger={
            f"{API_PREFIX}/uploads/": MAX_CHUNK,
            f"{API_PREFIX}/sync/push": 4 * 1024 * 1024,
            f"{API_PREFIX}/pro/documents": 30 * 1024 * 1024,
            f"{API_PREFIX}/app-api/documents": 30 * 1024 * 1024,
            f"{API_PREFIX}/pro/conversations": 30 * 1024 * 1024,
        },
    )
    app.add_middleware(SecurityHeaders, bare=(f"{API_PREFIX}/docs",))
    return app
