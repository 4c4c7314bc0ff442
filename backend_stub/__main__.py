"""`python -m backend_stub ...` runs the server commands."""

from backend_stub.cli import app

app()
