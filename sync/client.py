"""The account client the app calls: activation, objection, login, session, closure, and the
account a person keeps (password, forgotten password, e-mail, phone, code channel, devices).

It owns the tokens of one signed-in holder and refreshes the access token once when the
server says it expired. Screens never see HTTP: they get schemas or a `SyncError`.

Set by the app, per person (per browser tab in web mode): `device_name` and `platform` (shown in
"Appareils connectés"), `device_key` (given at this device's first login, kept sealed in the vault:
it proves the device is already known, so locks set off from elsewhere spare it), and in web mode
`forwarded_for`, the person's address, which the server believes only from the app server's
address (ENS_TRUSTED_PROXIES) and keys its per-client limits on.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from sync.errors import ApiError, NetworkError
from sync.protocol.account_schemas import (
    ContactChallenge,
    ContactChangeRequest,
    ContactConfirm,
    DeviceOut,
    PasswordChangeRequest,
    ResetChallenge,
    ResetConfirm,
    ResetRequest,
)
from sync.protocol.admin_schemas import AdministrativeData, CorrectionCreate, CorrectionOut
from sync.protocol.alerts import AlertSettings
from sync.protocol.apps import AppOut, ApproveRequest, ConnectionOut, ConsentRequestOut, RedirectOut
from sync.protocol.children_schemas import SPACE_HEADER, ChildName, ChildOut
from sync.protocol.errors import ErrorCode
from sync.protocol.helpers_schemas import DelegationIn, DelegationOut, DelegationsOut
from sync.protocol.record_schemas import (
    AccessLogPage,
    AccessReportOut,
    AccessReportRequest,
    AttendingRequest,
    AuthoriseRequest,
    EmergencySettings,
    GrantOut,
    NotificationOut,
    ProfessionalOut,
    ProfileSharing,
    ReimbursementYear,
    RevokeRequest,
    ShareCreate,
    ShareCreated,
    ShareOut,
)
from sync.protocol.rights_schemas import (
    ComplaintCreate,
    ComplaintOut,
    HealthCardOut,
    HealthCorrectionCreate,
    HealthCorrectionOut,
    ResearchChoice,
    ResearchOut,
)
from sync.protocol.schemas import (
    ActivationRequest,
    ChallengeRef,
    CloseRequest,
    Identifiers,
    IdentityCheck,
    LoginChallenge,
    LoginRequest,
    Me,
    NewLetterRequest,
    OtpVerifyRequest,
    RefreshRequest,
    TokenPair,
)
from sync.protocol.sync_schemas import PullResponse, PushRequest, PushResponse, UploadCreate, UploadState

API = "/api/v1"
T = TypeVar("T", bound=BaseModel)


class AccountClient:
    """One per person using the app (per browser tab in web mode): tokens are never shared."""

    def __init__(self, base_url: str = "", *, http: httpx.Client | None = None) -> None:
        self._http = http or httpx.Client(base_url=base_url, timeout=httpx.Timeout(10.0))
        self._tokens: TokenPair | None = None
        # Called with the new pair (or None) whenever it changes, so a vault can keep it sealed.
        self.on_tokens: Callable[[TokenPair | None], None] | None = None
        # Called when the server says this device was signed out from another one.
        self.on_signed_out: Callable[[], None] | None = None
        self._space = ""  # the child's holder id a `for_space` view acts on ("" = one's own)
        self.device_name = ""
        self.platform = ""
        self.device_key: str | None = None
        self.forwarded_for: str | None = None

    def close(self) -> None:
        """Release the connection pool (the app's tab closed)."""
        self._http.close()

    @property
    def tokens(self) -> TokenPair | None:
        return self._tokens

    @tokens.setter
    def tokens(self, pair: TokenPair | None) -> None:
        self._tokens = pair
        if self.on_tokens is not None:
            self.on_tokens(pair)

    # --- plumbing -----------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        body: BaseModel | None = None,
        *,
        auth: bool = False,
        retry: bool = True,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if self._space:  # a child's space: the parent's token, the child's data
            sent[SPACE_HEADER] = self._space
        if self.forwarded_for:
            sent["X-Forwarded-For"] = self.forwarded_for
        if auth:
            if self.tokens is None:
                raise ApiError(ErrorCode.AUTH_REQUIRED, {}, 401)
            sent["Authorization"] = f"Bearer {self.tokens.access_token}"
        try:
            response = self._http.request(
                method,
                API + path,
                headers=sent,
                params=params,
                content=content,
                json=body.model_dump(mode="json") if body is not None else None,
            )
        except httpx.HTTPError as exc:
            raise NetworkError() from exc
        if response.status_code == 401 and auth:
            error = _api_error(response)
            if error.code == ErrorCode.DEVICE_SIGNED_OUT:
                self._signed_out()
                raise error
            if retry and self._refresh():
                return self._call(
                    method,
                    path,
                    body,
                    auth=auth,
                    retry=False,
                    content=content,
                    params=params,
                    headers=headers,
                )
        if response.status_code >= 400:
            raise _api_error(response)
        return response

    def _signed_out(self) -> None:
        """Signed out from another device: forget the tokens, tell the vault."""
        self.tokens = None
        if self.on_signed_out is not None:
            self.on_signed_out()

    def _json(
        self,
        model: type[T],
        method: str,
        path: str,
        body: BaseModel | None = None,
        *,
        auth: bool = False,
        **extra: Any,
    ) -> T:
        return model.model_validate(self._call(method, path, body, auth=auth, **extra).json())

    def resume(self, refresh_token: str) -> Me:
        """Open a server session again from a refresh token kept on the device (next launches)."""
        self.tokens = self._json(
            TokenPair, "POST", "/auth/refresh", RefreshRequest(refresh_token=refresh_token)
        )
        return self.me()

    def _refresh(self) -> bool:
        """Trade the refresh token for a new pair; False (signed out) when it is no longer valid."""
        if self.tokens is None:
            return False
        try:
            self.tokens = self._json(
                TokenPair, "POST", "/auth/refresh", RefreshRequest(refresh_token=self.tokens.refresh_token)
            )
        except ApiError as exc:
            if exc.code == ErrorCode.DEVICE_SIGNED_OUT:
                self._signed_out()
            self.tokens = None
            return False
        return True

    # --- activation and objection -------------------------------------------------------------
    def check_identifiers(self, ids: Identifiers) -> IdentityCheck:
        return self._json(IdentityCheck, "POST", "/activation/check", ids)

    def activate(self, request: ActivationRequest) -> None:
        self._call("POST", "/activation", request)

    def object_to_creation(self, ids: Identifiers) -> None:
        self._call("POST", "/objection", ids)

    def request_new_letter(self, request: NewLetterRequest) -> None:
        self._call("POST", "/letters", request)

    # --- login ----------------------------------------------------------------------------------
    def login(self, email: str, password: str) -> LoginChallenge:
        request = LoginRequest(
            email=email,
            password=password,
            device_name=self.device_name,
            platform=self.platform,
            device_key=self.device_key or "",
        )
        return self._json(LoginChallenge, "POST", "/auth/login", request)

    def verify_code(self, challenge_id: str, code: str) -> Me:
        pair = self._json(
            TokenPair, "POST", "/auth/otp/verify", OtpVerifyRequest(challenge_id=challenge_id, code=code)
        )
        if pair.device_key:  # this device's first login: from now on it is a known device
            self.device_key = pair.device_key
        self.tokens = pair
        return self.me()

    # --- "Mot de passe oublié ?" (no session needed) ---------------------------------------------
    def start_password_reset(self, nir: str, vitale_serial: str) -> ResetChallenge:
        """Whether or not they match, the same answer; if they do, a code goes where login codes go."""
        request = ResetRequest(nir=nir, vitale_serial=vitale_serial)
        return self._json(ResetChallenge, "POST", "/auth/password-reset", request)

    def confirm_password_reset(self, challenge_id: str, code: str, new_password: str) -> None:
        """The code and the new password; then log in as usual (every device was signed out)."""
        request = ResetConfirm(challenge_id=challenge_id, code=code, new_password=new_password)
        self._call("POST", "/auth/password-reset/confirm", request)

    def resend_code(self, challenge_id: str) -> LoginChallenge:
        return self._json(LoginChallenge, "POST", "/auth/otp/resend", ChallengeRef(challenge_id=challenge_id))

    def logout(self) -> None:
        """End the session on the server; forget the tokens even when offline."""
        try:
            if self.tokens is not None:
                self._call("POST", "/auth/logout", auth=True, retry=False)
        except (ApiError, NetworkError):
            pass
        finally:
            self.tokens = None

    # --- the space ------------------------------------------------------------------------------
    def me(self) -> Me:
        return self._json(Me, "GET", "/me", auth=True)

    def close_space(self, password: str) -> Me:
        return self._json(Me, "POST", "/space/close", CloseRequest(password=password), auth=True)

    def reopen_space(self) -> Me:
        return self._json(Me, "POST", "/space/reopen", auth=True)

    # --- the account: password, contacts, devices ("Paramètres") -------------------------------------
    def change_password(self, current_password: str, new_password: str) -> None:
        """The other devices are signed out; this one stays signed in."""
        request = PasswordChangeRequest(current_password=current_password, new_password=new_password)
        self._call("POST", "/account/password", request, auth=True)

    def request_contact_change(self, kind: str, value: str, password: str) -> ContactChallenge:
        """`kind` "email" or "phone" (a code goes to the new one), or "channel" with `value` "email"
        or "sms" (a code goes there)."""
        request = ContactChangeRequest(kind=kind, value=value, password=password)  # type: ignore[arg-type]
        return self._json(ContactChallenge, "POST", "/account/contact", request, auth=True)

    def confirm_contact_change(self, challenge_id: str, code: str) -> Me:
        request = ContactConfirm(challenge_id=challenge_id, code=code)
        return self._json(Me, "POST", "/account/contact/confirm", request, auth=True)

    def devices(self) -> list[DeviceOut]:
        """ "Appareils connectés": this one is marked `current`."""
        return [DeviceOut.model_validate(d) for d in self._call("GET", "/devices", auth=True).json()]

    def sign_out_device(self, device_id: str) -> list[DeviceOut]:
        """ "Déconnecter cet appareil"; the devices left."""
        response = self._call("POST", f"/devices/{device_id}/sign-out", auth=True)
        return [DeviceOut.model_validate(d) for d in response.json()]

    # --- synchronisation (the engine's transport) ------------------------------------------
    def push(self, request: PushRequest) -> PushResponse:
        return self._json(PushResponse, "POST", "/sync/push", request, auth=True)

    def pull(self, cursor: str, limit: int = 500) -> PullResponse:
        return self._json(
            PullResponse, "GET", "/sync/pull", auth=True, params={"cursor": cursor, "limit": limit}
        )

    def upload_create(self, size: int, sha256: str) -> UploadState:
        return self._json(UploadState, "POST", "/uploads", UploadCreate(size=size, sha256=sha256), auth=True)

    def upload_whole(self, sha256: str, data: bytes) -> UploadState:
        """A document of one chunk at most: started and finished in one request."""
        return self._json(
            UploadState,
            "POST",
            "/uploads/whole",
            auth=True,
            content=data,
            headers={"Upload-Sha256": sha256, "Content-Type": "application/offset+octet-stream"},
        )

    def upload_state(self, upload_id: str) -> UploadState:
        return self._json(UploadState, "GET", f"/uploads/{upload_id}", auth=True)

    def upload_chunk(self, upload_id: str, offset: int, data: bytes) -> UploadState:
        return self._json(
            UploadState,
            "PATCH",
            f"/uploads/{upload_id}",
            auth=True,
            content=data,
            headers={"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
        )

    # --- the shared record's rules (online only: the server decides) ----------------------------
    def search_professionals(self, query: str) -> list[ProfessionalOut]:
        response = self._call("GET", "/professionals/search", auth=True, params={"q": query})
        return [ProfessionalOut.model_validate(p) for p in response.json()]

    def my_professionals(self) -> list[GrantOut]:
        return [GrantOut.model_validate(g) for g in self._call("GET", "/professionals", auth=True).json()]

    def authorise(self, professional_id: str, until: datetime | None) -> list[GrantOut]:
        body = AuthoriseRequest(until=until)
        response = self._call("POST", f"/professionals/{professional_id}/authorise", body, auth=True)
        return [GrantOut.model_validate(g) for g in response.json()]

    def revoke(self, professional_id: str, *, block: bool = False) -> list[GrantOut]:
        body = RevokeRequest(block=block)
        response = self._call("POST", f"/professionals/{professional_id}/revoke", body, auth=True)
        return [GrantOut.model_validate(g) for g in response.json()]

    def unblock(self, professional_id: str) -> list[GrantOut]:
        response = self._call("POST", f"/professionals/{professional_id}/unblock", auth=True)
        return [GrantOut.model_validate(g) for g in response.json()]

    def set_attending(self, professional_id: str | None) -> list[GrantOut]:
        response = self._call(
            "PUT", "/attending", AttendingRequest(professional_id=professional_id), auth=True
        )
        return [GrantOut.model_validate(g) for g in response.json()]

    def emergency_settings(self) -> EmergencySettings:
        return self._json(EmergencySettings, "GET", "/emergency-settings", auth=True)

    def set_emergency_settings(self, settings: EmergencySettings) -> EmergencySettings:
        return self._json(EmergencySettings, "PUT", "/emergency-settings", settings, auth=True)

    def profile_sharing(self) -> ProfileSharing:
        """Which profile sections professionals may read (on top of the access matrix)."""
        return self._json(ProfileSharing, "GET", "/profile-sharing", auth=True)

    def set_profile_sharing(self, choices: dict[str, bool]) -> ProfileSharing:
        return self._json(
            ProfileSharing, "PUT", "/profile-sharing", ProfileSharing(choices=choices), auth=True
        )

    def alert_settings(self) -> AlertSettings:
        """How accesses are told, per channel (in the app, e-mail, SMS)."""
        return self._json(AlertSettings, "GET", "/alert-settings", auth=True)

    def set_alert_settings(self, settings: AlertSettings) -> AlertSettings:
        return self._json(AlertSettings, "PUT", "/alert-settings", settings, auth=True)

    def access_log(self, *, before: int | None = None, **filters: str) -> AccessLogPage:
        params: dict[str, Any] = {k: v for k, v in filters.items() if v}
        if before is not None:
            params["before"] = before
        return self._json(AccessLogPage, "GET", "/access-log", auth=True, params=params)

    # --- share links ---
    def create_share(
        self, document_ids: list[str], days: int, label: str, shl_file: str | None = None
    ) -> ShareCreated:
        request = ShareCreate(document_ids=document_ids, days=days, label=label, shl_file=shl_file)
        return self._json(ShareCreated, "POST", "/shares", request, auth=True)

    def shares(self) -> list[ShareOut]:
        return [ShareOut.model_validate(s) for s in self._call("GET", "/shares", auth=True).json()]

    def revoke_share(self, share_id: str) -> ShareOut:
        return self._json(ShareOut, "POST", f"/shares/{share_id}/revoke", auth=True)

    def report_access(self, seq: int, note: str, *, block: bool = False) -> AccessReportOut:
        request = AccessReportRequest(note=note, block=block)
        return self._json(AccessReportOut, "POST", f"/access-log/{seq}/report", request, auth=True)

    def notifications(self) -> list[NotificationOut]:
        return [
            NotificationOut.model_validate(n) for n in self._call("GET", "/notifications", auth=True).json()
        ]

    def mark_notification_read(self, notification_id: str) -> None:
        self._call("POST", f"/notifications/{notification_id}/read", auth=True)

    def document_content(self, record_id: str, version: int | None = None) -> bytes:
        """The bytes of a document the device does not hold (e.g. one a professional added), or of
        one of its earlier versions (a document its author corrected)."""
        params = {"version": version} if version is not None else None
        return self._call("GET", f"/sync/records/{record_id}/content", params=params, auth=True).content

    # --- administrative data and reimbursements (held by the insurer: online only) ---------------
    def administrative_data(self) -> AdministrativeData:
        return self._json(AdministrativeData, "GET", "/administrative", auth=True)

    def correction_requests(self) -> list[CorrectionOut]:
        response = self._call("GET", "/administrative/corrections", auth=True)
        return [CorrectionOut.model_validate(c) for c in response.json()]

    def request_correction(self, request: CorrectionCreate) -> CorrectionOut:
        return self._json(CorrectionOut, "POST", "/administrative/corrections", request, auth=True)

    # --- a person's rights: corrections of health data, research, complaints (issue #18) ----------
    def health_corrections(self) -> list[HealthCorrectionOut]:
        response = self._call("GET", "/health-corrections", auth=True)
        return [HealthCorrectionOut.model_validate(c) for c in response.json()]

    def ask_health_correction(self, request: HealthCorrectionCreate) -> HealthCorrectionOut:
        return self._json(HealthCorrectionOut, "POST", "/health-corrections", request, auth=True)

    def health_card(self) -> HealthCardOut:
        return self._json(HealthCardOut, "GET", "/health-card", auth=True)

    def research_choice(self) -> ResearchOut:
        return self._json(ResearchOut, "GET", "/research", auth=True)

    def set_research_choice(self, opted_out: bool) -> ResearchOut:
        return self._json(ResearchOut, "PUT", "/research", ResearchChoice(opted_out=opted_out), auth=True)

    def complaints(self) -> list[ComplaintOut]:
        return [ComplaintOut.model_validate(c) for c in self._call("GET", "/complaints", auth=True).json()]

    def complain(self, complaint: ComplaintCreate) -> ComplaintOut:
        return self._json(ComplaintOut, "POST", "/complaints", complaint, auth=True)

    def reimbursements(self, year: int | None = None, query: str = "") -> ReimbursementYear:
        params: dict[str, Any] = {"q": query} if query else {}
        if year is not None:
            params["year"] = year
        return self._json(ReimbursementYear, "GET", "/reimbursements", auth=True, params=params)

    # --- messages (conversations travel with the records; only files joined to them come here) ---
    def message_attachment(self, message_id: str, index: int) -> bytes:
        """The bytes of a file joined to a message (e.g. one a professional sent)."""
        return self._call("GET", f"/messages/{message_id}/attachments/{index}", auth=True).content

    # --- catalogue: referenced apps, consents, connected apps (online only) -----------------------
    def catalogue(self) -> list[AppOut]:
        return [AppOut.model_validate(a) for a in self._call("GET", "/catalogue", auth=True).json()]

    def consent_request(self, request_id: str) -> ConsentRequestOut:
        return self._json(ConsentRequestOut, "GET", f"/oauth/requests/{request_id}", auth=True)

    def approve_consent(self, request_id: str, duration: str, subject_id: str | None = None) -> str:
        """The URL that takes the person back to the app, with its one-time code."""
        body = ApproveRequest(duration=duration, subject_id=subject_id)  # type: ignore[arg-type]
        path = f"/oauth/requests/{request_id}/approve"
        return self._json(RedirectOut, "POST", path, body, auth=True).redirect_url

    def refuse_consent(self, request_id: str) -> str:
        return self._json(RedirectOut, "POST", f"/oauth/requests/{request_id}/refuse", auth=True).redirect_url

    def connected_apps(self) -> list[ConnectionOut]:
        response = self._call("GET", "/connected-apps", auth=True)
        return [ConnectionOut.model_validate(c) for c in response.json()]

    def revoke_app(self, connection_id: str) -> list[ConnectionOut]:
        response = self._call("POST", f"/connected-apps/{connection_id}/revoke", auth=True)
        return [ConnectionOut.model_validate(c) for c in response.json()]

    # --- family: a parent acting on their minor children's spaces ---
    def for_space(self, child_id: str) -> "SpaceClient":
        """A view that acts on a child's space: same tokens and HTTP pool, plus `X-Space`."""
        return SpaceClient(self, child_id)

    def children(self) -> list[ChildOut]:
        return [ChildOut.model_validate(c) for c in self._call("GET", "/children", auth=True).json()]

    def check_child(self, ids: Identifiers) -> str:
        """The child's first name, to confirm whose space the letter opens."""
        return self._json(ChildName, "POST", "/children/check", ids, auth=True).first_name

    def activate_child(self, ids: Identifiers) -> ChildOut:
        return self._json(ChildOut, "POST", "/children/activation", ids, auth=True)

    def object_child(self, ids: Identifiers) -> ChildOut:
        return self._json(ChildOut, "POST", "/children/objection", ids, auth=True)

    # --- helpers (aidants) ------------------------------------------------------------------------
    def delegations(self) -> DelegationsOut:
        """My helpers and the people I help, invitations included."""
        return self._json(DelegationsOut, "GET", "/delegations", auth=True)

    def invite_helper(self, body: DelegationIn) -> DelegationOut:
        return self._json(DelegationOut, "POST", "/delegations", body, auth=True)

    def answer_delegation(self, delegation_id: str, verb: str) -> DelegationOut:
        """`verb`: accept, refuse (the helper) or end (either side)."""
        return self._json(DelegationOut, "POST", f"/delegations/{delegation_id}/{verb}", auth=True)


class SpaceClient(AccountClient):
    """A parent's client acting on one child's space; token changes go to the parent's pair."""

    def __init__(self, parent: AccountClient, child_id: str) -> None:
        self._parent = parent
        self._http = parent._http
        self._space = child_id
        self.on_tokens = None
        self.on_signed_out = None

    @property  # type: ignore[override]
    def forwarded_for(self) -> str | None:
        return self._parent.forwarded_for

    def _signed_out(self) -> None:
        self._parent._signed_out()

    @property
    def space_id(self) -> str:
        return self._space

    @property  # type: ignore[override]
    def tokens(self) -> TokenPair | None:
        return self._parent.tokens

    @tokens.setter
    def tokens(self, pair: TokenPair | None) -> None:
        self._parent.tokens = pair  # the parent's vault seals the new pair

    def close(self) -> None:
        """The pool is the parent's: it stays open."""

    def for_space(self, child_id: str) -> "SpaceClient":
        return SpaceClient(self._parent, child_id)


def _api_error(response: httpx.Response) -> ApiError:
    try:
        data: dict[str, Any] = response.json()
        return ApiError(str(data["code"]), dict(data.get("params") or {}), response.status_code)
    except (ValueError, KeyError, TypeError):
        return ApiError(ErrorCode.SERVER_ERROR, {}, response.status_code)
