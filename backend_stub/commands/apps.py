"""`python -m backend_stub apps ...`: the administrator's commands for the catalogue of apps."""

from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from backend_stub.context import Context, command_context
from backend_stub.models.apps import App
from backend_stub.services import apps

app = typer.Typer(help="The catalogue of referenced apps: add, update, suspend, list.", no_args_is_help=True)
console = Console()

Scopes = Annotated[list[str], typer.Option("--scope", help="A scope the app may ask for (repeat)")]
Redirects = Annotated[list[str], typer.Option("--redirect-uri", help="An allowed redirect URI (repeat)")]


def _run(action: str, change: Callable[[Session, Context], App]) -> App:
    """Run a change of the catalogue; a refusal is said in words, with exit code 2."""
    ctx = command_context()
    try:
        with Session(ctx.engine, expire_on_commit=False) as session:
            found: App = change(session, ctx)
    except ValueError as exc:
        console.print(f"[red]Refused:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"{action} {found.id} ({found.name}, {found.publisher}): {found.status}")
    return found


@app.command()
def add(
    app_id: Annotated[str, typer.Argument(help="The app's id, its OAuth client_id")],
    name: Annotated[str, typer.Option()],
    publisher: Annotated[str, typer.Option()],
    category: Annotated[str, typer.Option(help="prevention, chronic, teleconsultation, wellness, other")],
    scope: Scopes,
    redirect_uri: Redirects,
    description_fr: str = "",
    description_en: str = "",
) -> None:
    """Reference an app in the catalogue."""
    _run(
        "Added",
        lambda session, ctx: apps.add_app(
            session=session,
            ctx=ctx,
            app_id=app_id,
            name=name,
            publisher=publisher,
            category=category,
            scopes=scope,
            redirect_uris=redirect_uri,
            description_fr=description_fr,
            description_en=description_en,
        ),
    )


@app.command()
def update(
    app_id: str,
    name: Annotated[str | None, typer.Option()] = None,
    publisher: Annotated[str | None, typer.Option()] = None,
    category: Annotated[str | None, typer.Option()] = None,
    scope: Annotated[list[str] | None, typer.Option("--scope", help="Replaces the scopes")] = None,
    redirect_uri: Annotated[list[str] | None, typer.Option("--redirect-uri", help="Replaces them")] = None,
    description_fr: Annotated[str | None, typer.Option()] = None,
    description_en: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Change an app's details (what is not given stays)."""
    _run(
        "Updated",
        lambda session, ctx: apps.update_app(
            session=session,
            ctx=ctx,
            app_id=app_id,
            name=name,
            publisher=publisher,
            category=category,
            scopes=scope or None,
            redirect_uris=redirect_uri or None,
            description_fr=description_fr,
            description_en=description_en,
        ),
    )


@app.command()
def suspend(app_id: str) -> None:
    """Suspend an app: every holder's access ends at once (its tokens are refused)."""
    _run(
        "Suspended",
        lambda session, ctx: apps.set_status(session=session, ctx=ctx, app_id=app_id, status="suspended"),
    )


@app.command()
def reactivate(app_id: str) -> None:
    """Give a suspended app its place back (the holders' consents still apply)."""
    _run(
        "Reactivated",
        lambda session, ctx: apps.set_status(session=session, ctx=ctx, app_id=app_id, status="active"),
    )


@app.command("list")
def list_apps() -> None:
    """Every app of the catalogue, suspended ones included."""
    ctx = command_context()
    with Session(ctx.engine) as session:
        rows = apps.all_apps(session=session)
        table = Table("id", "name", "publisher", "category", "scopes", "status")
        for row in rows:
            table.add_row(row.id, row.name, row.publisher, row.category, " ".join(row.scopes), row.status)
    console.print(table)
