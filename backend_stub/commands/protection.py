"""`python -m backend_stub protection ...`: the insurer records adults' legal protection measures
from a court's decision (tutelle, curatelle, habilitation familiale), ends them, and records a
death (every delegation and measure naming the person ends)."""

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlmodel import Session

from backend_stub.context import command_context
from backend_stub.rules import gate
from backend_stub.services import helpers
from sync.protocol.identifiers import normalize_nir

app = typer.Typer(help="Legal protection measures of adults, and deaths.", no_args_is_help=True)
console = Console()
Nir = Annotated[str, typer.Option(help="A social security number (15 digits)")]


@app.command()
def add(
    protected_nir: Nir,
    representative_nir: Nir,
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(sorted(gate.MEASURES))}")],
    start: Annotated[str, typer.Option(help="The decision's start, YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="Its end or review date, YYYY-MM-DD")],
) -> None:
    """The representative acts on the protected adult's space within the measure's kind."""
    ctx = command_context()
    try:
        protected, representative = normalize_nir(protected_nir), normalize_nir(representative_nir)
        with Session(ctx.engine) as session:
            helpers.add_measure(
                session=session,
                ctx=ctx,
                protected_nir=protected,
                representative_nir=representative,
                kind=kind,
                starts_on=date.fromisoformat(start),
                ends_on=date.fromisoformat(end),
            )
    except ValueError as exc:
        console.print(f"[red]Refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    console.print(f"Measure recorded ({kind}): the representative can act from their own space.")


@app.command("end")
def end_measure(protected_nir: Nir, representative_nir: Nir) -> None:
    """The measure is lifted or not renewed: the representative's access ends at once."""
    ctx = command_context()
    try:
        protected, representative = normalize_nir(protected_nir), normalize_nir(representative_nir)
    except ValueError as exc:
        console.print(f"[red]Refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    with Session(ctx.engine) as session:
        ended = helpers.end_measure(
            session=session, ctx=ctx, protected_nir=protected, representative_nir=representative
        )
    console.print("Access ended." if ended else "No such open measure: nothing changed.")


@app.command()
def death(nir: Nir) -> None:
    """A death: every delegation and measure naming the person ends now."""
    ctx = command_context()
    try:
        person = normalize_nir(nir)
    except ValueError as exc:
        console.print(f"[red]Refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    with Session(ctx.engine) as session:
        ended = helpers.record_death(session=session, ctx=ctx, nir=person)
    console.print(f"{ended} delegation(s) or measure(s) ended.")
