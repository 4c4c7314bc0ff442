"""A professional's command-line client of the API (stand-in for their practice software).

    python -m backend_stub.commands.pro --key KEY documents --nir NIR [--mode emergency --reason ...]
        [--consent]
    python -m backend_stub.commands.pro --key KEY add --nir NIR --file report.pdf --title ... --type ...
    python -m backend_stub.commands.pro --key KEY profile --nir NIR [--mode ... --reason ...] [--consent]
    python -m backend_stub.commands.pro --key KEY add-entry --nir NIR --section allergy --field substance=...
    python -m backend_stub.commands.pro --key KEY corrections [--nir NIR]   (none: what waits for you)
    python -m backend_stub.commands.pro --key KEY correct [--nir NIR] --request ID --accept --field name=value
    python -m backend_stub.commands.pro --key KEY correct [--nir NIR] --request ID --accept --file fixed.pdf
    python -m backend_stub.commands.pro --key KEY correct [--nir NIR] --request ID --refuse --why "..."

Secure messaging: `write --nir NIR --subject ... --body ...` (or `--conversation ID`), `messages`
[--conversation ID], `attachment --conversation ID --message ID --out FILE`.

The key is the one `backend_stub register-pro` printed (also read from ENS_PRO_KEY).
"""

import base64
import mimetypes
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import httpx
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

app = typer.Typer(help="A health professional's client of the shared record.", no_args_is_help=True)
console = Console()
state: dict[str, Any] = {}


@app.callback()
def main(
    key: Annotated[str, typer.Option(envvar="ENS_PRO_KEY", help="The professional's API key")],
    url: Annotated[str, typer.Option(envvar="ENS_API_URL")] = "http://127.0.0.1:8000",
) -> None:
    state["client"] = httpx.Client(base_url=f"{url}/api/v1", headers={"X-Api-Key": key}, timeout=30)


def _headers(nir: str, mode: str, reason: str, consent: bool) -> dict[str, str]:
    headers = {"X-Patient-Nir": nir.replace(" ", ""), "X-Access-Mode": mode}
    if reason:
        headers["X-Access-Reason"] = quote(reason)
    if consent:
        headers["X-Consent"] = "declared"
    return headers


def _call(method: str, path: str, **kwargs: Any) -> httpx.Response:
    response: httpx.Response = state["client"].request(method, path, **kwargs)
    if response.status_code >= 400:
        console.print(f"[red]Refused ({response.status_code}): {response.json().get('code')}[/red]")
        raise typer.Exit(1)
    return response


Nir = Annotated[str, typer.Option(help="The patient's social security number")]
Mode = Annotated[str, typer.Option(help="normal, emergency or regulator")]
Reason = Annotated[str, typer.Option(help="Required in emergency and regulator modes")]
Consent = Annotated[bool, typer.Option(help="Declare the patient's consent (first access)")]


@app.command()
def documents(nir: Nir, mode: Mode = "normal", reason: Reason = "", consent: Consent = False) -> None:
    """List the patient's documents this professional may see."""
    table = Table("id", "date", "type", "title", "author")
    params: dict[str, int] = {}
    while True:
        page = _call(
            "GET", "/pro/documents", params=params, headers=_headers(nir, mode, reason, consent)
        ).json()
        for row in page["documents"]:
            table.add_row(row["id"], row["date"], row["type"], Text(row["title"]), _author(row))
        if page["next_before"] is None:
            break
        params, consent = {"before": page["next_before"]}, False
    console.print(table)


@app.command()
def download(document_id: str, out: Path, nir: Nir, mode: Mode = "normal", reason: Reason = "") -> None:
    """Save one document's file."""
    response = _call(
        "GET", f"/pro/documents/{document_id}/content", headers=_headers(nir, mode, reason, False)
    )
    out.write_bytes(response.content)
    console.print(f"Saved {len(response.content)} bytes to {out}")


@app.command()
def add(
    nir: Nir,
    file: Annotated[Path, typer.Option(exists=True, dir_okay=False)],
    title: Annotated[str, typer.Option()],
    doc_type: Annotated[str, typer.Option("--type", help="A code of assets/reference/document_types.json")],
    doc_date: Annotated[str, typer.Option("--date")] = "",
    hidden_from_patient: bool = False,
    hidden_from_guardians: bool = False,
    consent: Consent = False,
) -> None:
    """Add a document (PDF, JPEG or PNG) to the patient's record."""
    mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    body = {
        "title": title,
        "type": doc_type,
        "date": doc_date or date.today().isoformat(),
        "mime": mime,
        "content_b64": base64.b64encode(file.read_bytes()).decode(),
        "hidden_from_patient": hidden_from_patient,
        "hidden_from_guardians": hidden_from_guardians,
    }
    created = _call("POST", "/pro/documents", json=body, headers=_headers(nir, "normal", "", consent)).json()
    console.print(f"Added document {created['id']}")


# --- the medical profile ------------------------------------------------------------------------


HIDDEN_KEYS = ("section", "author_name", "author_profession")


def _author(row: dict[str, Any]) -> str:
    """Who wrote it; what the patient entered themself is said plainly (EHDS art. 5)."""
    return "entered by the patient" if row.get("entered_by_patient") else str(row["author"])


@app.command()
def profile(nir: Nir, mode: Mode = "normal", reason: Reason = "", consent: Consent = False) -> None:
    """Show the patient's profile entries and measurements this professional may read."""
    table = Table("section", "date", "entry", "author")
    params: dict[str, int] = {}
    sections: list[str] = []
    while True:
        page = _call(
            "GET", "/pro/profile", params=params, headers=_headers(nir, mode, reason, consent)
        ).json()
        sections = page["sections"]
        for row in page["entries"]:
            shown = {k: v for k, v in row["data"].items() if k not in HIDDEN_KEYS}
            words = ", ".join(f"{k}={v}" for k, v in shown.items())
            table.add_row(row["section"], row["updated_at"][:10], Text(words), _author(row))
        if page["next_before"] is None:
            break
        params, consent = {"before": page["next_before"]}, False
    console.print(f"Sections you may read: {', '.join(sections)}")
    console.print(table)


@app.command("add-entry")
def add_entry(
    nir: Nir,
    section: Annotated[str, typer.Option(help="illness, treatment, allergy, vaccination or family_history")],
    field: Annotated[
        list[str], typer.Option(help="name=value, repeated (e.g. --field substance=Pénicilline)")
    ],
    consent: Consent = False,
    hidden_from_guardians: Annotated[bool, typer.Option(help="Hide from a minor's parents")] = False,
) -> None:
    """Add an entry to the patient's medical profile (read-only to them, shown with your name)."""
    data: dict[str, object] = dict(item.split("=", 1) for item in field if "=" in item)
    if hidden_from_guardians:
        data["hidden_from_guardians"] = True
    created = _call(
        "POST",
        "/pro/profile-entries",
        json={"section": section, "data": data},
        headers=_headers(nir, "normal", "", consent),
    ).json()
    console.print(f"Added profile entry {created['id']}")


def _about(row: dict[str, Any]) -> Text:
    """What a request is about: a document's title and day, or an entry's fields."""
    entry = row["entry"]
    if row.get("collection") == "document":
        return Text(f"document {entry.get('title', '')} ({entry.get('date', '')})")
    return Text(", ".join(f"{k}={v}" for k, v in entry.items() if k not in HIDDEN_KEYS))


@app.command()
def corrections(
    nir: Annotated[str, typer.Option(help="The patient's number; none: what waits across patients")] = "",
    mode: Mode = "normal",
    reason: Reason = "",
    consent: Consent = False,
) -> None:
    """The patient's requests to correct entries or documents you wrote, and where each stands;
    without --nir, every request still waiting for you, with whose record it is."""
    headers = _headers(nir, mode, reason, consent) if nir else {}
    rows = _call("GET", "/pro/corrections", headers=headers).json()
    who = () if nir else ("patient", "born")
    table = Table("id", "asked", "status", *who, "section", "about", "the patient says", "your reason")
    for r in rows:
        patient = () if nir else (Text(r["patient"]), str(r["patient_birth_date"]))
        table.add_row(
            r["id"],
            r["created_at"][:10],
            r["status"],
            *patient,
            r["section"],
            _about(r),
            Text(r["note"]),
            Text(r["reason"]),
        )
    console.print(table)


@app.command()
def correct(
    request: Annotated[str, typer.Option(help="The id `corrections` shows")],
    accept: Annotated[
        bool,
        typer.Option("--accept/--refuse", help="Accept (with --field or --file) or refuse (with --why)"),
    ],
    nir: Annotated[str, typer.Option(help="The patient's number (none: the one who asked)")] = "",
    field: Annotated[
        list[str] | None, typer.Option(help="name=value of the corrected entry, repeated")
    ] = None,
    file: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="A document's corrected version")
    ] = None,
    title: Annotated[str, typer.Option(help="The corrected document's title, if it changes")] = "",
    doc_date: Annotated[str, typer.Option("--date", help="Its date (YYYY-MM-DD), if it changes")] = "",
    why: Annotated[str, typer.Option(help="Why you refuse (required to refuse)")] = "",
) -> None:
    """Answer a correction request: accept (the entry's next version, or the document's from
    --file; the patient keeps the one before in their history) or refuse with a reason. The
    patient is told either way."""
    fields = dict(item.split("=", 1) for item in field or [] if "=" in item)
    body: dict[str, Any] = {"accept": accept, "fields": fields, "reason": why}
    if file is not None:
        body["document"] = {
            "mime": mimetypes.guess_type(file.name)[0] or "application/octet-stream",
            "content_b64": base64.b64encode(file.read_bytes()).decode(),
            "title": title,
            "date": doc_date or None,
        }
    answered = _call(
        "POST",
        f"/pro/corrections/{request}/decision",
        json=body,
        headers=_headers(nir, "normal", "", False) if nir else {},
    ).json()
    console.print(f"Request {answered['id']}: {answered['status']}")


# --- secure messaging -------------------------------------------------------------------------------
def _joined(file: Path | None, doc_type: str = "") -> dict[str, str] | None:
    if file is None:
        return None
    mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    content = base64.b64encode(file.read_bytes()).decode()
    return {"name": file.name, "mime": mime, "content_b64": content, "type": doc_type}


@app.command()
def write(
    body: Annotated[str, typer.Option(help="The message")],
    nir: Annotated[str, typer.Option(help="The patient's number, to start a conversation")] = "",
    subject: Annotated[str, typer.Option(help="The subject of a new conversation")] = "",
    conversation: Annotated[str, typer.Option(help="The id of one of your conversations")] = "",
    file: Annotated[Path | None, typer.Option(exists=True, dir_okay=False, help="PDF, JPEG or PNG")] = None,
    file_type: Annotated[str, typer.Option("--type", help="The file's document type (prescription...)")] = "",
    hidden_from_guardians: Annotated[bool, typer.Option(help="Hide it from a minor's parents")] = False,
) -> None:
    """Write to a patient in your care: a new conversation (--nir, --subject) or a reply (--conversation)."""
    message: dict[str, Any] = {"body": body, "file": _joined(file, file_type)}
    if conversation:
        thread = _call("POST", f"/pro/conversations/{conversation}/messages", json=message).json()
    else:
        headers = {"X-Patient-Nir": nir.replace(" ", "")}
        thread = _call(
            "POST",
            "/pro/conversations",
            json=message | {"subject": subject, "hidden_from_guardians": hidden_from_guardians},
            headers=headers,
        ).json()
    console.print(f"Sent in conversation {thread['conversation']['id']}")


@app.command()
def messages(
    conversation: Annotated[str, typer.Option(help="Show this conversation's messages")] = "",
) -> None:
    """Your conversations (and no one else's), or the messages of one of them (the patient's become read)."""
    if not conversation:
        table = Table("id", "patient", "subject", "unread", "last")
        before = ""
        while True:
            page = _call("GET", "/pro/conversations", params={"before": before} if before else {}).json()
            for c in page["conversations"]:
                row = (c["id"], Text(c["patient"]), Text(c["subject"]), str(c["unread"]), c["last_at"][:16])
                table.add_row(*row)
            if page["next_before"] is None:
                break
            before = page["next_before"]
        console.print(table)
        return
    after = 0
    while True:
        page = _call("GET", f"/pro/conversations/{conversation}", params={"after": after}).json()
        if after == 0:
            c = page["conversation"]
            console.print(Text(f"{c['subject']} — {c['patient']}", style="bold"))
        for m in page["messages"]:
            who = "Patient" if m["sender"] == "holder" else "You"
            console.print(Text(f"[{m['at'][:16]}] {who} (message {m['id']}): {m['body']}"))  # as typed
            for index, a in enumerate(m["attachments"]):
                console.print(
                    Text(f"    attachment {index}: {a.get('title') or a.get('name')} ({a.get('mime')})")
                )
        if page["next_after"] is None:
            break
        after = page["next_after"]


@app.command()
def attachment(
    conversation: Annotated[str, typer.Option()],
    message: Annotated[str, typer.Option()],
    out: Annotated[Path, typer.Option()],
    index: Annotated[int, typer.Option()] = 0,
) -> None:
    """Save what the patient joined to a message (the opening is written to their access log)."""
    path = f"/pro/conversations/{conversation}/messages/{message}/attachments/{index}"
    response = _call("GET", path)
    out.write_bytes(response.content)
    console.print(f"Saved {len(response.content)} bytes to {out}")


if __name__ == "__main__":
    app()
