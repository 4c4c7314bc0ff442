"""Server commands: run, migrate, the insurer's enrolment, the outbox, the scheduled jobs."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text
from sqlmodel import Session

from backend_stub.commands.apps import app as apps_app
from backend_stub.commands.protection import app as protection_app
from backend_stub.context import Context, close_with, command_context, sealed_store
from backend_stub.core.config import get_settings
from backend_stub.errors import DomainError
from backend_stub.evidence import checkpoints
from backend_stub.holder_keys import HolderKeys
from backend_stub.migrate import upgrade
from backend_stub.notifier import read_outbox
from backend_stub.sealed_blobs import MasterKeys, SealedBlobStore
from backend_stub.services import (
    access_reports,
    accounts,
    administrative,
    apps,
    audit,
    auth,
    children,
    enrolment,
    health_card,
    message_queue,
    professionals,
    ratelimit,
    reimbursements,
    resealing,
    research,
    security,
    sessions,
    space,
)
from sync.protocol import health_card as health_card_format
from sync.protocol.identifiers import normalize_nir

app = typer.Typer(help="Mon espace santé — server commands.", no_args_is_help=True)
app.add_typer(apps_app, name="apps")  # the catalogue of referenced apps
app.add_typer(protection_app, name="protection")  # adults' legal protection measures, deaths
console = Console()


@app.callback()
def _every_command(running: typer.Context) -> None:
    # Whatever a command opens (its database pool, pending checkpoints) is closed when it ends.
    close_with(running)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    console.print("Schema up to date.")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Migrate, then serve the API with uvicorn."""
    import uvicorn

    migrate()
    console.print(f"API on http://{host}:{port}/api/v1/docs")
    uvicorn.run(
        "backend_stub.asgi:app", host=host, port=port, workers=workers, log_level="warning", access_log=False
    )


@app.command()
def enrol(
    nir: Annotated[str, typer.Option(help="Social security number, 15 characters")],
    vitale: Annotated[str, typer.Option(help="Vitale card serial number")],
    first_name: Annotated[str, typer.Option()],
    last_name: Annotated[str, typer.Option()],
    birth_date: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    email: Annotated[str, typer.Option(help="Send the letter by e-mail")] = "",
    address: Annotated[str, typer.Option(help="Postal address of the letter")] = "",
    lang: str = "fr",
    insurer: Annotated[str, typer.Option(help="Insurance fund, e.g. 'CPAM de Paris'")] = "",
    parent_nir: Annotated[str, typer.Option(help="A minor: the enrolled parent who gets the letter")] = "",
    second_parent_nir: Annotated[str, typer.Option(help="A minor: a second parental authority")] = "",
) -> None:
    """Enrol one insured person: pending space, provisional code, letter sent (a minor's to the parent)."""
    row = {
        "nir": nir,
        "vitale_serial": vitale,
        "first_name": first_name,
        "last_name": last_name,
        "birth_date": birth_date,
        "email": email,
        "postal_address": address,
        "lang": lang,
        "insurer": insurer,
        "parent_nir": parent_nir,
        "second_parent_nir": second_parent_nir,
    }
    try:
        person = enrolment.Enrollee.parse(row)
    except ValueError as exc:
        console.print(f"[red]Refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    ctx = command_context()
    with Session(ctx.engine, expire_on_commit=False) as session:
        report = enrolment.enrol_many(session=session, ctx=ctx, people=[person])
    if report.errors:
        console.print(f"[red]Refused:[/red] {escape(report.errors[0][1])}")
        raise typer.Exit(2)
    if report.already_enrolled:
        console.print("Already enrolled: nothing sent.")
    else:
        console.print("Enrolled; letter sent (see `python -m backend_stub outbox`).")


@app.command("enrol-csv")
def enrol_csv(path: Path, batch_size: int = 1000, part: int = 0, parts: int = 1) -> None:
    """Enrol everyone in a CSV file (columns: nir, vitale_serial, first_name, last_name,
    birth_date, postal_address, email, lang; optional insurer; parent_nir for a minor, optional
    second_parent_nir: minors are enrolled after the adults), with a progress bar.

    In parallel on PostgreSQL: run `--parts N` processes, each with its `--part` (0 to N-1); each
    enrols its share of the NIRs. A minor whose second parent fell in another part may be refused
    (parent not enrolled): run once more without --part when all are done (a rerun skips
    everyone already enrolled)."""
    if not 0 <= part < parts:
        raise typer.BadParameter("--part must be between 0 and --parts - 1")
    ctx = command_context()
    with path.open(encoding="utf-8-sig") as handle:
        total = max(sum(1 for _ in handle) - 1, 0)
    report = enrolment.EnrolmentReport(errors=[])
    columns = (TextColumn("Enrolling"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with (
        Progress(*columns, console=console) as progress,
        Session(ctx.engine, expire_on_commit=False) as session,
    ):
        task = progress.add_task("enrol", total=total)
        result = enrolment.enrol_many(
            session=session,
            ctx=ctx,
            people=enrolment.read_csv(path, report, part, parts),
            batch_size=batch_size,
            on_batch=lambda n: progress.advance(task, n),
        )
        progress.update(task, completed=total)
    console.print(
        f"Created {result.created}, already enrolled {result.already_enrolled}, "
        f"refused {len(report.errors or []) + len(result.errors or [])}."
    )
    for line, reason in ((report.errors or []) + (result.errors or []))[:20]:
        console.print(Text(f"  line {line}: {reason}" if line else f"  {reason}"))


@app.command()
def outbox(to: str = "", limit: int = 10, body: bool = True) -> None:
    """Show the newest letters, e-mails and SMS of the development outbox."""
    for message in read_outbox(get_settings().outbox_dir, to=to or None, limit=limit):
        console.rule(Text(f"{message['created_at']}  {message['channel']} -> {message['to']}"))
        console.print(Text(message["subject"], style="bold"))
        if body:
            console.print(Text(message["body"]))


@app.command()
def jobs() -> None:
    """Run the daily jobs: create spaces after 6 weeks, purge after 10 years, old counters, ended
    sessions and expired codes."""
    ctx = command_context()
    with Session(ctx.engine) as session:
        table = Table("job", "rows")
        table.add_row("spaces created", str(space.create_due_spaces(session=session, ctx=ctx)))
        table.add_row("spaces purged", str(space.purge_due_spaces(session=session, ctx=ctx)))
        table.add_row("counters dropped", str(ratelimit.purge_old_counters(session=session, ctx=ctx)))
        table.add_row("app consents expired", str(apps.purge_expired(session=session, ctx=ctx)))
        table.add_row("came of age", str(children.come_of_age(session=session, ctx=ctx)))
        table.add_row("sessions ended", str(sessions.purge_ended(session=session, ctx=ctx)))
        challenges = auth.purge_challenges(session=session, ctx=ctx)
        table.add_row("codes expired", str(challenges + accounts.purge_challenges(session=session, ctx=ctx)))
    console.print(table)


@app.command("send-queued")
def send_queued() -> None:
    """Send the queued letters and codes now (each server process also does it every few seconds)."""
    ctx = command_context()
    sent = 0
    while done := message_queue.drain(ctx=ctx):
        sent += done
    console.print(f"Sent {sent} queued message(s).")


def _guardian_change(change: str, child_nir: str, guardian_nir: str) -> bool:
    """Add or end one parental authority; the NIRs are checked before anything is looked up."""
    child, guardian = normalize_nir(child_nir), normalize_nir(guardian_nir)
    ctx = command_context()
    with Session(ctx.engine) as session:
        if change == "remove":
            return children.remove_guardian(session=session, ctx=ctx, child_nir=child, guardian_nir=guardian)
        children.add_guardian(session=session, ctx=ctx, child_nir=child, guardian_nir=guardian)
        return True


@app.command("add-guardian")
def add_guardian(
    child_nir: Annotated[str, typer.Option()], guardian_nir: Annotated[str, typer.Option()]
) -> None:
    """A second holder of parental authority over an enrolled minor (both enrolled)."""
    try:
        _guardian_change("add", child_nir, guardian_nir)
    except ValueError as exc:
        console.print(f"[red]Refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    console.print("Parental authority added: they can act on the child's space from their own.")


@app.command("remove-guardian")
def remove_guardian(
    child_nir: Annotated[str, typer.Option()], guardian_nir: Annotated[str, typer.Option()]
) -> None:
    """Loss of parental authority: that parent's access to the child's space ends at once."""
    try:
        removed = _guardian_change("remove", child_nir, guardian_nir)
    except ValueError as exc:
        console.print(f"[red]Refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    console.print("Access ended." if removed else "No such parental authority: nothing changed.")


@app.command("import-reimbursements")
def import_reimbursements(path: Path) -> None:
    """Import reimbursements from a CSV (nir, date, care, professional, amount_paid, amount_reimbursed,
    and optionally kind: consultation/act/medicine/hospital, and label: a medicine's name...)."""
    ctx = command_context()
    with Session(ctx.engine) as session:
        report = reimbursements.import_csv(session=session, ctx=ctx, path=path)
    console.print(
        f"Imported {report.imported}, people without a space {report.unknown_person}, "
        f"refused {len(report.errors or [])}."
    )
    for line, reason in (report.errors or [])[:20]:
        console.print(Text(f"  line {line}: {reason}"))


@app.command("register-pro")
def register_pro(
    rpps: Annotated[str, typer.Option(help="RPPS number, 11 digits")],
    first_name: Annotated[str, typer.Option()],
    last_name: Annotated[str, typer.Option()],
    profession: Annotated[str, typer.Option(help="doctor, pharmacist, nurse, midwife, dentist, ...")],
    specialty: str = "",
    city: str = "",
) -> None:
    """Register a health professional in the directory and print their API key (shown once)."""
    ctx = command_context()
    try:
        with Session(ctx.engine) as session:
            pro, api_key = professionals.register(
                session=session,
                ctx=ctx,
                rpps=rpps,
                first_name=first_name,
                last_name=last_name,
                profession=profession,
                specialty=specialty,
                city=city,
            )
    except ValueError as exc:
        console.print(f"[red]Refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    console.print(Text(f"Registered {pro.first_name} {pro.last_name} ({pro.profession}), id {pro.id}"))
    console.print(f"API key (keep it secret, it is not stored): {api_key}")
    console.print(f"It works until {pro.key_expires_at:%d/%m/%Y}; `rotate-key` gives a new one.")


@app.command("rotate-key")
def rotate_key(rpps: Annotated[str, typer.Option(help="RPPS number, 11 digits")]) -> None:
    """Give a professional a new API key (the old one stops at once) and print it (shown once)."""
    ctx = command_context()
    try:
        with Session(ctx.engine) as session:
            api_key = professionals.rotate_key(session=session, ctx=ctx, rpps=rpps)
    except ValueError as exc:
        console.print(f"[red]Refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    console.print(f"New API key (keep it secret, it is not stored): {api_key}")


@app.command("revoke-pro")
def revoke_pro(rpps: Annotated[str, typer.Option(help="RPPS number, 11 digits")]) -> None:
    """Strike a professional's key off now (lost card, end of practice): every call is refused."""
    ctx = command_context()
    try:
        with Session(ctx.engine, expire_on_commit=False) as session:
            pro = professionals.revoke_key(session=session, ctx=ctx, rpps=rpps)
    except ValueError as exc:
        console.print(f"[red]Refused:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    console.print(Text(f"The key of {pro.first_name} {pro.last_name} no longer works."))


@app.command("security-events")
def security_events(kind: str = "", limit: int = 50) -> None:
    """The operators' security log, newest first: refused attempts without relation to a space,
    emergency accesses, and alerts of unusual emergency use (`--kind emergency_alert`)."""
    ctx = command_context()
    table = Table("When (UTC)", "Kind", "Actor", "Id", "Detail")
    with Session(ctx.engine) as session:
        for event in security.events(session=session, kind=kind, limit=limit):
            table.add_row(
                f"{event.at:%Y-%m-%d %H:%M}", event.kind, event.actor_kind, event.actor_id, Text(event.detail)
            )
    console.print(table)


@app.command("verify-log")
def verify_log(holder_id: Annotated[str, typer.Option(help="Only this holder")] = "") -> None:
    """Check the access logs: every link (HMAC under the log keys), the signed checkpoints kept
    outside the database, and what they signed against the database; reports each holder whose
    log was rewritten, truncated or erased."""
    ctx = command_context()
    signed, problems = checkpoints.read_checkpoints(ctx.evidence.checkpoints.store, ctx.signer, holder_id)
    for problem in problems:
        console.print(Text(f"Checkpoints: {problem}", style="red"))
    broken = 0
    with Session(ctx.engine) as session:
        ids = (
            [holder_id] if holder_id else sorted(set(audit.holders_with_log(session=session)) | signed.keys())
        )
        for one in ids:
            found = audit.check(session=session, holder_id=one, checkpointed=signed.get(one))
            if found is not None:
                broken += 1
                note = f" ({found.note})" if found.note else ""
                console.print(Text(f"Holder {one}: {found.kind} at entry {found.seq}{note}", style="red"))
    console.print(
        f"Checked {len(ids)} access log(s): {broken} broken, {len(problems)} checkpoint problem(s)."
    )
    if broken or problems:
        raise typer.Exit(1)


@app.command("access-reports")
def access_reports_list(limit: int = 100) -> None:
    """The accesses holders reported as suspicious, newest first, for the insurer's follow-up."""
    ctx = command_context()
    table = Table("Reported", "Holder", "Log line", "Professional", "Blocked", "Note")
    with Session(ctx.engine) as session:
        for r in access_reports.all_reports(session=session, limit=limit):
            when = f"{r.at:%Y-%m-%d %H:%M}"
            table.add_row(when, r.holder_id, str(r.entry_seq), r.actor_id, str(r.blocked), Text(r.note))
    console.print(table)


@app.command("research-cohort")
def research_cohort(
    out: Annotated[Path, typer.Option(help="Where to write the holder ids, one a line")],
    batch: Annotated[int, typer.Option(min=1, max=100_000)] = 10_000,
) -> None:
    """For a data request (EHDS art. 71): the ids of the active spaces whose holder has not opted
    out of research, in pages, written to a file (never to the screen)."""
    ctx = command_context()
    count, after = 0, ""
    with Session(ctx.engine) as session, out.open("w", encoding="utf-8") as file:
        while ids := research.cohort(session=session, after=after, limit=batch):
            file.writelines(f"{holder_id}\n" for holder_id in ids)
            count, after = count + len(ids), ids[-1]
    console.print(f"{count} holder(s) whose data may serve research, in {out}.")


@app.command("verify-card")
def verify_card(
    card: Annotated[Path, typer.Argument(help="A file holding the QR code's text (shc:/...) or the JWS")],
) -> None:
    """Check a signed vaccination record (SMART Health Card) against this issuer's keys: its
    vaccinations if it holds, REJECTED (exit 1) if a character was changed or another key signed."""
    ctx = command_context()
    try:
        jws = health_card_format.from_qr(card.read_text(encoding="utf-8"))
        payload = health_card_format.verify(jws, health_card.jwks(ctx), health_card.issuer(ctx))
    except health_card_format.CardInvalid as exc:
        console.print(Text(f"REJECTED: {exc}", style="bold red"))
        raise typer.Exit(1) from exc
    entries = payload["vc"]["credentialSubject"]["fhirBundle"]["entry"]
    patient = entries[0]["resource"]
    name = " ".join([*patient["name"][0].get("given", []), patient["name"][0].get("family", "")])
    console.print(Text(f"VALID: signed by {payload['iss']} for {name}, born {patient.get('birthDate', '')}"))
    table = Table("date", "vaccine", "lot", "recorded by")
    for entry in entries[1:]:
        shot = entry["resource"]
        who = shot.get("reportOrigin", {}).get("text") or shot.get("performer", [{}])[0].get("actor", {}).get(
            "display", ""
        )
        row = (
            shot["occurrenceDateTime"],
            shot["vaccineCode"].get("text", ""),
            shot.get("lotNumber", ""),
            who,
        )
        table.add_row(*(Text(str(v)) for v in row))
    console.print(table)


@app.command("new-master-key")
def new_master_key(kid: Annotated[str, typer.Argument(help="A name for the key, e.g. 2026-11")]) -> None:
    """Print a new master key entry: put it first in ENS_MASTER_KEYS, keep the old one after it."""
    console.print(MasterKeys.generate(kid), soft_wrap=True)


@app.command("rotate-keys")
def rotate_keys(
    reencrypt: Annotated[
        bool, typer.Option(help="Also seal every record and file again under fresh keys (after a compromise)")
    ] = False,
    restart: Annotated[bool, typer.Option(help="Start over instead of resuming a stopped run")] = False,
) -> None:
    """Re-wrap every document and holder key with the current master key (then the old master
    key can be removed); with --reencrypt, also seal every holder's rows under a fresh holder key
    and every file under a fresh data key, in batches, resuming where a stopped run left off."""
    ctx = command_context()
    store = sealed_store(ctx.settings)
    done, current = store.rewrap()
    with ctx.engine.begin() as conn:
        holders = HolderKeys(store.master).rewrap(conn)
    console.print(
        f"Master key {store.master.current}: {done} document key(s) re-wrapped, {current} current; "
        f"{holders} holder key(s) re-wrapped."
    )
    if reencrypt:
        _reseal(ctx, store, "reencrypt", fresh=True, restart=restart)


@app.command("seal-existing")
def seal_existing(
    restart: Annotated[bool, typer.Option(help="Start over instead of resuming a stopped run")] = False,
) -> None:
    """After upgrading to issue #15 (migration 0017): link the existing access logs under the log
    key (an old chain already broken is left as it is and reported), seal the rows still in clear,
    and rewrite the files of the old format; in batches, resuming where a stopped run left off."""
    ctx = command_context()
    _reseal(ctx, sealed_store(ctx.settings), "seal-existing", fresh=False, restart=restart)


def _reseal(ctx: Context, store: SealedBlobStore, task: str, *, fresh: bool, restart: bool) -> None:
    """Walk holders then files with a progress bar; the cursor file lets a second run resume."""
    cursor = resealing.Cursor.load(ctx.settings.data_dir / f"{task}.progress.json", restart)
    report = resealing.Report()
    with Session(ctx.engine) as session:
        holders, holders_done, files, files_done = resealing.counts(session, cursor)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        walked = progress.add_task("Holders", total=holders, completed=holders_done)
        resealing.walk_holders(
            ctx=ctx, cursor=cursor, fresh=fresh, report=report, step=lambda: progress.advance(walked)
        )
        progress.update(walked, completed=holders)
        sent = progress.add_task("Files", total=files, completed=files_done)
        resealing.walk_files(
            ctx=ctx,
            store=store,
            cursor=cursor,
            fresh=fresh,
            report=report,
            step=lambda: progress.advance(sent),
        )
        progress.update(sent, completed=files)
    cursor.done()
    console.print(
        f"{report.holders} holder(s): {report.rows} row(s) sealed, {report.relinked} log(s) linked again; "
        f"{report.files} file(s) rewritten."
    )
    for holder_id in report.broken_logs:
        console.print(Text(f"Holder {holder_id}: its old log was already broken; left as it is", style="red"))
    for upload_id in report.damaged_files:
        console.print(
            Text(f"File {upload_id}: damaged, left as it is (restore it from a backup)", style="red")
        )


@app.command("demo-csv")
def demo_csv(path: Path, count: int = 1000, start: int = 1) -> None:
    """Write a CSV of fictitious insured people with valid social security numbers."""
    from backend_stub.demo import fake_people_csv

    fake_people_csv(path, count=count, start=start)
    console.print(f"Wrote {count} people to {path}.")


# --- administrative data: the holder's correction requests (the insurer's side) ---------------------


@app.command()
def corrections(limit: int = 50) -> None:
    """List the open correction requests of administrative data, oldest first."""
    ctx = command_context()
    table = Table("id", "asked on", "person", "field", "current value", "asked value", "note")
    with Session(ctx.engine) as session:
        for row, holder in administrative.open_requests(session=session, limit=limit):
            table.add_row(  # what people typed is shown as text, never read as markup
                row.id,
                row.created_at.strftime("%Y-%m-%d"),
                Text(f"{holder.first_name} {holder.last_name}"),
                row.field,
                Text(administrative.current_value(holder, row.field)),
                Text(row.value),
                Text(row.note),
            )
    console.print(table)


@app.command()
def correct(
    request_id: str,
    accept: Annotated[bool, typer.Option("--accept/--reject", help="Apply the value, or refuse it")],
) -> None:
    """Decide on a correction request: accepting applies it; the person is told either way."""
    ctx = command_context()
    try:
        with Session(ctx.engine) as session:
            row = administrative.decide(session=session, ctx=ctx, request_id=request_id, accept=accept)
    except DomainError as exc:
        console.print(f"[red]Refused:[/red] {exc.code.value}")
        raise typer.Exit(1) from exc
    console.print(f"Request {row.id}: {row.status}.")
