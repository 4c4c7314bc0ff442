"""`python -m backend_stub ...` runs the server commands."""

from backend_stub.commands.server import app

app()
