"""The baseline of `bytes_bench.py`: bytes over the same stack (uvicorn, Starlette under FastAPI)
with nothing else: a PATCH appends its body to a file (written and fsynced, as the server's blob
store does), a GET sends the file back. No authentication, no sealing, no database.

    .venv/bin/python -m uvicorn benchmarks.raw_bytes_server:app --port 8765   (RAW_BYTES_DIR=/tmp/x)
"""

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Route

FOLDER = Path(os.environ.get("RAW_BYTES_DIR", "/tmp/raw-bytes"))


async def append(request: Request) -> JSONResponse:
    path = FOLDER / request.path_params["name"]
    body = await request.body()
    with path.open("ab") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    return JSONResponse({"offset": path.stat().st_size})


async def send(request: Request) -> FileResponse:
    return FileResponse(FOLDER / request.path_params["name"])


async def health(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


FOLDER.mkdir(parents=True, exist_ok=True)
app = Starlette(
    routes=[
        Route("/raw/{name}", append, methods=["PATCH"]),
        Route("/raw/{name}", send, methods=["GET"]),
        Route("/health", health),
    ]
)
