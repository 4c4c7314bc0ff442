"""ASGI entry point for uvicorn workers: `uvicorn backend_stub.asgi:app`."""

from backend_stub.main import create_app

app = create_app()
