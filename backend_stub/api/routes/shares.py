"""Share links: the holder makes and revokes them; anyone with the link and its code opens them.

The recipient may have no app: the link opens a small, plain web page in their language asking
for the code, then lists the documents. The code travels in a POST body, never in a URL; once it
is right, a short-lived cookie bound to the link lets the page download the documents.
"""

import html
from datetime import date
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse

from backend_stub.api import files
from backend_stub.api.deps import ActiveHolder, ClientDep, ContextDep, SessionDep
from backend_stub.api.headers import page_policy
from backend_stub.core.clock import as_utc
from backend_stub.errors import DomainError
from backend_stub.models.record import Record
from backend_stub.models.shares import ShareLink
from backend_stub.services import record_access, shares
from sync.protocol.errors import ErrorCode
from sync.protocol.i18n import long_day_text, translate
from sync.protocol.record_schemas import ShareCreate, ShareCreated, ShareOut

router = APIRouter(tags=["share links"])
Token = Annotated[str, Path(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
COOKIE = "ens_share"
STYLE = """
body{font:18px/1.5 system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}
h1{color:#0B4F9C;font-size:1.5rem} label{display:block;font-weight:600;margin:.5rem 0}
input{font-size:1.25rem;padding:.6rem;width:100%;box-sizing:border-box;letter-spacing:.1em}
button,a.doc{display:inline-block;font-size:1.1rem;min-height:48px;padding:.6rem 1.2rem;margin:.6rem 0;
background:#0B4F9C;color:#fff;border:0;border-radius:10px;text-decoration:none}
.error{color:#B3261E;font-weight:600} li{margin:.8rem 0}"""
POLICY = page_policy(STYLE)  # this page's one style, by hash (api/headers.py adds the rest)


def _out(link: ShareLink) -> ShareOut:
    return ShareOut(
        id=link.id,
        label=link.label,
        document_ids=link.document_ids,
        created_at=as_utc(link.created_at),
        expires_at=as_utc(link.expires_at),
        revoked=link.revoked_at is not None,
        opens=link.opens,
    )


@router.post("/shares")
def create_share(
    request: ShareCreate, holder: ActiveHolder, session: SessionDep, ctx: ContextDep
) -> ShareCreated:
    """A link and a code for some of the holder's documents; shown once, kept as digests only."""
    link, token, code = shares.create(
        session=session,
        ctx=ctx,
        holder=holder,
        document_ids=request.document_ids,
        days=request.days,
        label=request.label,
        shl_file=request.shl_file,
    )
    url = f"{ctx.settings.public_api_url.rstrip('/')}/api/v1/share/{token}"
    return ShareCreated(**_out(link).model_dump(), url=url, code=code)


@router.get("/shares")
def list_shares(holder: ActiveHolder, session: SessionDep) -> list[ShareOut]:
    return [_out(link) for link in shares.links(session=session, holder=holder)]


@router.post("/shares/{share_id}/revoke")
def revoke_share(share_id: str, holder: ActiveHolder, session: SessionDep, ctx: ContextDep) -> ShareOut:
    """The link stops working at once."""
    return _out(shares.revoke(session=session, ctx=ctx, holder=holder, share_id=share_id))


# --- the recipient's pages --------------------------------------------------------------------------


def _lang(request: Request) -> str:
    accepted = request.headers.get("accept-language", "fr").lower()
    return "en" if accepted.startswith("en") else "fr"


def _page(lang: str, body: str, status: int = 200) -> HTMLResponse:
    title = html.escape(translate("share.page.title", lang))
    return HTMLResponse(
        f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{title}</title><style>{STYLE}</style></head>
<body><main><h1>{title}</h1>{body}</main></body></html>""",
        status_code=status,
        headers={"Cache-Control": "no-store", "Content-Security-Policy": POLICY},
    )


def _code_form(lang: str, error: str = "") -> str:
    t = lambda key: html.escape(translate(key, lang))  # noqa: E731
    problem = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return (
        f"<p>{t('share.page.intro')}</p>{problem}"
        '<form method="post"><label for="code">' + t("share.page.code") + "</label>"
        '<input id="code" name="code" autocomplete="off" autocapitalize="characters" required>'
        f'<button type="submit">{t("share.page.open")}</button></form>'
    )


def _closed(lang: str) -> HTMLResponse:
    return _page(lang, f"<p>{html.escape(translate('error.share.closed', lang))}</p>", 410)


@router.get("/share/{token}", response_class=HTMLResponse)
def share_page(token: Token, request: Request, session: SessionDep, ctx: ContextDep) -> HTMLResponse:
    """The page the link opens: it asks for the code (and says nothing of whose documents they are)."""
    lang = _lang(request)
    try:
        shares.by_token(session=session, ctx=ctx, token=token)
    except DomainError:
        return _closed(lang)
    return _page(lang, _code_form(lang))


@router.post("/share/{token}", response_class=HTMLResponse)
async def share_open(
    token: Token, request: Request, session: SessionDep, ctx: ContextDep, client: ClientDep
) -> HTMLResponse:
    """The code typed on that page: the list of documents, or why not."""
    lang = _lang(request)
    code = parse_qs((await request.body()).decode("utf-8", "replace")).get("code", [""])[0][:40]
    try:
        _, documents = shares.open_with_code(session=session, ctx=ctx, token=token, code=code, client=client)
    except DomainError as exc:
        if exc.code == ErrorCode.SHARE_CLOSED:
            return _closed(lang)
        return _page(lang, _code_form(lang, translate(exc.code.value, lang, **exc.params)), exc.status)
    items = "".join(_document_item(token, r, lang) for r in documents)
    body = f"<p>{html.escape(translate('share.page.list', lang, count=len(documents)))}</p><ul>{items}</ul>"
    response = _page(lang, body)
    response.set_cookie(
        COOKIE,
        shares.session_value(ctx, token, ctx.clock.now()),
        max_age=shares.SESSION_MINUTES * 60,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=f"/api/v1/share/{token}",
    )
    return response


def _day(iso: str, lang: str) -> str:
    """A document's day written out for its reader: 7 décembre 2026 (fr), 7 December 2026 (en)."""
    try:
        return long_day_text(date.fromisoformat(iso), lang)
    except ValueError:
        return iso


def _document_item(token: str, record: Record, lang: str) -> str:
    title = html.escape(str(record.data.get("title", "")) or translate("share.page.untitled", lang))
    day = html.escape(_day(str(record.data.get("date", "")), lang))
    label = html.escape(translate("share.page.download", lang))
    return (
        f"<li><strong>{title}</strong> {day}<br>"
        f'<a class="doc" href="/api/v1/share/{token}/documents/{html.escape(record.id)}">{label}</a></li>'
    )


@router.get("/share/{token}/documents/{record_id}")
def share_document(
    token: Token, record_id: str, request: Request, session: SessionDep, ctx: ContextDep
) -> Response:
    """One shared document, for a browser that typed the right code in the last minutes."""
    if not shares.session_is_valid(ctx, token, request.cookies.get(COOKIE, "")):
        return _page(_lang(request), _code_form(_lang(request)), 401)
    record = shares.document_for_download(session=session, ctx=ctx, token=token, record_id=record_id)
    return files.send(
        record_access.document_bytes(session=session, ctx=ctx, holder_id=record.holder_id, record=record)
    )
