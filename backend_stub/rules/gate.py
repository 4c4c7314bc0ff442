"""The one gate: who may do what on a holder's space. Pure; every route asks it through its service.

    decide(actor, space, item, now) -> Verdict

The answer says: allowed or refused (an error code), on what basis (the "how" of the access log),
where the line goes (the space's log, the security log, or nowhere for the holder's own acts),
whom to notify, and whether to conceal (answer exactly as if the item did not exist).

Who asks (`actor`): the holder or a parent acting on a minor's space (`Member`), someone the holder
lets help them or the representative of an adult under legal protection (`Helper`), a professional
with their mode, reason, declared consent and what the holder decided about them (`Professional`),
a connected app (`App`), the recipient of a share link (`Link`), an operator command (`Operator`).
What is aimed at (`item`): the space itself (open the record) or one of its items (document,
profile, conversation, message, notification, log entry, upload, share, settings).

The table, applied top to bottom (the seeds' rules 4, 5, 7, 8 and 9; DESIGN.md "One gate"):

 space not active (unknown, pending, closed = archived)
   holder ........... only its own account and reopen flow (`closed_ok` items); else space_closed
   parent ........... child_not_guardian (the same answer as an unknown id)
   professional ..... consent_required without a lawful basis, patient_not_found with one: an
                      unknown and an enrolled number answer alike until consent or an emergency;
                      a conversation named by its id: not_found
   app .............. token_invalid          link .......... share_closed
   -> logged in the security log only: nothing reaches the log of a space that answers nothing
 parent (X-Space)
   no open guardianship of a minor ..... child_not_guardian, in the child's log if a
                                         guardianship ever existed, else the security log only
   the holder's own acts (close, reopen, children, account) ... child_not_guardian, child's log
 helper (X-Space; a delegation accepted, within its dates, both spaces active; or an open
 legal protection measure)
   none ever accepted .................. child_not_guardian, security log only (a stranger's answer)
   delegation or measure ended ......... helpers.ended, in the helped person's log
   the holder's own acts, always ....... helpers.not_allowed: close or reopen the space, password,
                                         contacts, devices, children, delegations (a helper never
                                         delegates), and, for a helper (not a representative who
                                         represents: tutelle, habilitation familiale), every route
                                         outside HELPER_ROUTES: emergency card and switches, export
                                         and share links, connected apps, professionals'
                                         authorisations and blocks, alerts, the access log
   adding .............................. helpers.read_only unless the delegation says "read and
                                         add", and then only new documents, measurements and
                                         appointments (never a change to an existing item)
   an item masked "from my helpers", a message or conversation without the messages right
                                         concealed (representatives who represent see them)
   every request but polling ........... a line of the helped person's log, as the helper
 professional
   blocked ............................. access_blocked in every mode, emergency and regulator too
   emergency / regulator ............... a stated reason (REASON_MIN letters), the regulator
                                         specialty for regulator mode, not revoked, the holder's
                                         switch on; every such access notifies with the reason
   attending > authorised (not ended) > care team ... allowed; each later access is told as
                                         "access" (the notifier sends it where the holder chose
                                         "every access": sync/protocol/alerts.py)
   revoked ............................. access_revoked (declared consent does not re-open it)
   authorisation ended ................. access_ended   (nor does it re-open an ended one)
   no relation, consent declared ....... allowed, joins the care team (first access notified)
   no relation ......................... consent_required, security log (no relation, no line)
   messaging ........................... a live relation only (attending, authorised, care team)
   document ............................ the access matrix of the profession; a masked document
                                         only for the attending physician, and in an emergency or
                                         regulator access when the holder's third switch
                                         (masked_in_emergency, off by default) is on; its author
                                         always
   profile ............................. the matrix's sections for the profession, of those the
                                         holder shares (shared_sections; the private ones too in
                                         an emergency when masked_in_emergency is on); adding only
                                         clinical facts (PRO_WRITABLE_SECTIONS: the lists, blood
                                         group, hospital stays, disabilities)
 app        token, consent and app checked now; the scope; a parent's app loses the space with
            the parent's authority
 link       open (not revoked, expired or locked), and only the documents it names
 any viewer but a professional: an item hidden from the patient, a minor's secret item for a
   parent (and a parent's app or link), an item of another space ...... concealed (not found)
 a minor's secret item leaves no trace a parent can see: its log line and notification are
   secret, and a relation made only of secret acts stays out of "Mes professionnels".
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sync.protocol.errors import ErrorCode
from sync.protocol.helpers_schemas import REPRESENTING
from sync.protocol.reference import readable_sections, readable_types
from sync.protocol.schemas import SpaceStatus

REGULATOR_SPECIALTY = "emergency_regulator"
# What a professional may add to the profile: clinical facts only (wishes, contacts, lifestyle
# habits and the holder's notes are the holder's own).
PRO_WRITABLE_SECTIONS = frozenset(
    {
        "illness",
        "treatment",
        "allergy",
        "vaccination",
        "family_history",
        "blood_group",
        "hospital_stay",
        "disability",
    }
)
REASON_MIN = 3  # letters in an emergency's stated reason ("AVP", "coma" pass; "x" or "1" does not)
MESSAGING = frozenset({"conversation", "message"})


class Log(StrEnum):
    """Where the access is written."""

    NONE = "none"  # the holder's own act: not an access by someone else
    SPACE = "space"  # a line of the space's access log, which the holder reads
    SECURITY = "security"  # a caller without any relation to the space: the operators' log only


# --- the facts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Space:
    """The space aimed at; `status` None when no such space exists (unknown number or id)."""

    status: SpaceStatus | None
    emergency_access: bool = True  # break-glass by any professional when the holder cannot consent
    regulator_access: bool = True  # the SAMU-Centre 15 regulating physician during a call
    masked_in_emergency: bool = False  # masked documents readable in those two accesses too
    shared_sections: frozenset[str] = frozenset()  # profile sections the holder lets professionals read

    @property
    def active(self) -> bool:
        return self.status == SpaceStatus.ACTIVE


@dataclass(frozen=True)
class Relation:
    """What the holder decided about one professional, as of now."""

    attending: bool = False
    blocked: bool = False
    authorised: bool = False
    authorised_until: datetime | None = None  # None with `authorised`: for good
    care_team: bool = False
    revoked: bool = False
    seen: bool = False  # the first access was made (and notified) already
    secret_only: bool = False  # made only of a minor's secret acts: out of the parents' sight

    def ended(self, now: datetime) -> bool:
        return self.authorised and self.authorised_until is not None and now >= self.authorised_until

    def live(self, now: datetime) -> str:
        """The basis this relation gives by itself ("" when it gives none)."""
        if self.blocked or self.revoked:
            return ""
        if self.attending:
            return "attending"
        if self.authorised and not self.ended(now):
            return "authorised"
        return "care_team" if self.care_team else ""

    @property
    def exists(self) -> bool:
        return self.attending or self.blocked or self.authorised or self.care_team or self.revoked


@dataclass(frozen=True)
class Member:
    """The holder in their own space, or a parent acting on a minor child's (`X-Space`)."""

    guardian: bool = False
    linked: bool = True  # a parent: an open guardianship of a minor, today
    ever_linked: bool = True  # a parent: a guardianship existed once (ended at 18 or by the insurer)


@dataclass(frozen=True)
class Professional:
    """A professional (API key standing in for the CPS card) and how they ask."""

    id: str
    profession: str
    specialty: str = ""
    relation: Relation = field(default_factory=Relation)
    mode: str = "normal"  # normal, emergency, regulator
    reason: str = ""
    consent_declared: bool = False


@dataclass(frozen=True)
class App:
    """A connected app's token, as checked in the database now."""

    scopes: frozenset[str]
    consent_live: bool  # not revoked, not past its end
    app_active: bool  # not suspended from the catalogue
    by_parent: bool = False  # connected by a parent on a child's space
    parent_may_act: bool = True


@dataclass(frozen=True)
class Link:
    """A share link's recipient (who typed the code, or opens the page)."""

    open: bool  # not revoked, not expired, not locked by wrong codes
    by_parent: bool = False  # made by a parent in a child's space


@dataclass(frozen=True)
class Operator:
    """An operator's command (the insurer's agents: corrections, guardianships, checks)."""

    command: str


# Legal protection measures (Code civil art. 440, 473, 494-1): a tutelle and an habilitation
# familiale represent the person (the representative acts as a parent does on a minor's space);
# a curatelle assists (read and add, no messages: the person keeps their login and sees it all).
REPRESENTS = REPRESENTING  # habilitation: the habilitation familiale (one list for the app and the gate)
MEASURES = REPRESENTS | {"curatelle"}
# What a helper (or a curator) may reach of the holder routes, by route; the rest is the holder's.
HELPER_READS = frozenset(
    {
        "/me",
        "/sync/pull",
        "/sync/records/{record_id}/content",
        "/professionals",
        "/professionals/search",
        "/reimbursements",
        "/administrative",
        "/catalogue",
    }
)
HELPER_MESSAGES = frozenset({"/messages/{message_id}/attachments/{index}"})
HELPER_ADDS = frozenset({"/sync/push", "/uploads", "/uploads/{upload_id}"})
HELPER_ADDABLE = frozenset({"document", "measurement", "appointment"})  # "read and add"


@dataclass(frozen=True)
class Helper:
    """Someone acting on another adult's space (`X-Space`): a helper the holder delegated to, or
    the representative of a legal protection measure (`measure`)."""

    linked: bool = True  # a delegation accepted, within its dates (or an open measure), both spaces active
    ever_linked: bool = True  # such a link existed once (a stranger answers as for any unknown id)
    may_add: bool = False  # "read and add": new documents, measurements, appointments
    messages: bool = False  # the holder lets them read their messages
    measure: str = ""  # tutelle, curatelle, habilitation ("" a delegation)

    @property
    def represents(self) -> bool:
        return self.measure in REPRESENTS


Actor = Member | Helper | Professional | App | Link | Operator


@dataclass(frozen=True)
class Item:
    """What is aimed at. `kind` "space" is the space as a whole (open the record, list it)."""

    kind: str = "space"  # space, document, profile, conversation, message, notification,
    #                      log_entry, upload, share, settings, record
    action: str = "read"  # list (no content), read (content opened), write (new), change (existing)
    owned: bool = True  # it belongs to the space named (else: someone else's, concealed)
    secret: bool = False  # a minor's secret item (`hidden_from_guardians`)
    hidden_from_patient: bool = False  # until a professional has told the patient in person
    masked: bool = False  # masked by the holder from professionals
    type: str = ""  # a document's type (the access matrix)
    author_id: str | None = None  # the professional who wrote it
    section: str = ""  # a profile section
    scope: str = ""  # what an app needs for it
    in_link: bool = True  # a share link: the item is among the link's documents
    own_space_only: bool = False  # the holder's own acts: close, reopen, children, account
    masked_from_helpers: bool = False  # the holder hid it from their helpers
    route: str = ""  # the holder route asked (without /api/v1), for a helper's requests
    closed_ok: bool = False  # allowed while the space is closed (its reopen flow, the account)


SPACE = Item()


@dataclass(frozen=True)
class Verdict:
    """The gate's answer."""

    allowed: bool
    basis: str = ""  # holder, guardian, attending, authorised, care_team, new_care_team,
    #                  emergency, regulator, app, share, operator, helper, tutelle, curatelle,
    #                  habilitation
    refusal: ErrorCode | None = None
    log: Log = Log.NONE
    notify: str = ""  # a notification kind for the holder ("" none)
    conceal: bool = False  # answer "not found", exactly as for an item that does not exist
    secret: bool = False  # the log line and notification are out of the parents' sight
    join_care_team: bool = False  # a first access with declared consent: record it
    reveal_relation: bool = False  # a relation made of secret acts becomes visible to parents


def _refuse(code: ErrorCode, log: Log, *, secret: bool = False) -> Verdict:
    return Verdict(False, refusal=code, log=log, secret=secret)


def _conceal(log: Log = Log.NONE) -> Verdict:
    return Verdict(False, refusal=ErrorCode.NOT_FOUND, log=log, conceal=True)


def decide(actor: Actor, space: Space, item: Item, now: datetime) -> Verdict:
    """The one answer to "may this actor do this to this item of this space, now?"."""
    match actor:
        case Member():
            return _member(actor, space, item)
        case Helper():
            return _helper(actor, space, item)
        case Professional():
            return _professional(actor, space, item, now)
        case App():
            return _app(actor, space, item)
        case Link():
            return _link(actor, space, item)
        case Operator():
            if space.status is None:
                return _refuse(ErrorCode.NOT_FOUND, Log.NONE)
            return Verdict(True, "operator", log=Log.SPACE)
    raise TypeError(f"unknown actor {actor!r}")


def _hidden_from_viewer(item: Item, *, parent: bool) -> bool:
    """What a holder, a parent, their app or link may never see (professionals see it all)."""
    return not item.owned or item.hidden_from_patient or (parent and item.secret)


def _member(member: Member, space: Space, item: Item) -> Verdict:
    if member.guardian:
        if space.status is None:
            return _refuse(ErrorCode.CHILD_NOT_GUARDIAN, Log.SECURITY)
        if not member.linked or not space.active:
            return _refuse(ErrorCode.CHILD_NOT_GUARDIAN, Log.SPACE if member.ever_linked else Log.SECURITY)
        if item.own_space_only:
            return _refuse(ErrorCode.CHILD_NOT_GUARDIAN, Log.SPACE)
        if _hidden_from_viewer(item, parent=True):
            return _conceal()
        logged = item.action == "write" or (item.action == "read" and item.kind != "space")
        return Verdict(True, "guardian", log=Log.SPACE if logged else Log.NONE)
    if not space.active and not item.closed_ok:
        return _refuse(ErrorCode.SPACE_CLOSED, Log.NONE)
    if _hidden_from_viewer(item, parent=False):
        return _conceal()
    return Verdict(True, "holder")


def _helper(helper: Helper, space: Space, item: Item) -> Verdict:
    if space.status is None or not helper.ever_linked:
        return _refuse(ErrorCode.CHILD_NOT_GUARDIAN, Log.SECURITY)  # a stranger's answer
    if not helper.linked or not space.active:
        return _refuse(ErrorCode.HELPER_ENDED, Log.SPACE)
    if item.own_space_only:
        return _refuse(ErrorCode.HELPER_NOT_ALLOWED, Log.SPACE)
    if not helper.represents:
        if refusal := _helper_refusal(helper, item):
            return _refuse(refusal, Log.SPACE)
        if item.masked_from_helpers or (item.kind in MESSAGING and not helper.messages):
            return _conceal()
    if _hidden_from_viewer(item, parent=False):
        return _conceal()
    basis = helper.measure or "helper"
    return Verdict(True, basis, log=Log.NONE if item.action == "list" else Log.SPACE)


def _helper_refusal(helper: Helper, item: Item) -> ErrorCode | None:
    """What a helper (or a curator) may never do, and what a read-only one may not add."""
    if item.route:
        if item.route in HELPER_ADDS:
            return None if helper.may_add else ErrorCode.HELPER_READ_ONLY
        if item.route in HELPER_MESSAGES:
            return None if helper.messages else ErrorCode.HELPER_NOT_ALLOWED
        if item.route not in HELPER_READS:
            return ErrorCode.HELPER_NOT_ALLOWED
    if item.action in ("write", "change") and item.kind != "space":
        if not helper.may_add or item.kind not in HELPER_ADDABLE:
            return ErrorCode.HELPER_READ_ONLY
        if item.action == "change":  # adding is not changing what the holder or others wrote
            return ErrorCode.HELPER_READ_ONLY
    return None


def _professional(pro: Professional, space: Space, item: Item, now: datetime) -> Verdict:
    if not space.active:  # unknown, never activated or closed: one answer, nothing in any space's log
        if item.kind == "message":  # a conversation named by its id: it is gone
            return _refuse(ErrorCode.NOT_FOUND, Log.SECURITY)
        lawful = pro.mode != "normal" or pro.consent_declared
        return _refuse(ErrorCode.PATIENT_NOT_FOUND if lawful else ErrorCode.CONSENT_REQUIRED, Log.SECURITY)
    rel, secret = pro.relation, item.secret
    if rel.blocked:
        return _refuse(ErrorCode.ACCESS_BLOCKED, Log.SPACE, secret=secret)
    opened = _messaging(rel, now) if item.kind in MESSAGING else _opening(pro, space, now)
    if not opened.allowed:
        return _refuse(opened.refusal or ErrorCode.CONSENT_REQUIRED, opened.log, secret=secret)
    if refusal := _item_refusal(pro, space, item):
        return _refuse(refusal, Log.SPACE, secret=secret)
    basis = opened.basis
    notify = ""
    if basis in ("emergency", "regulator"):
        notify = f"{basis}_access"
    elif basis == "new_care_team" or not rel.seen or (rel.secret_only and not secret):
        notify = "first_access"
    elif item.kind not in MESSAGING:
        notify = "access"  # a later access: told only where the holder chose "every access"
    return Verdict(
        True,
        "care_team" if basis == "new_care_team" else basis,
        log=Log.SPACE,
        notify=notify,
        secret=secret,
        join_care_team=basis == "new_care_team",
        reveal_relation=rel.secret_only and not secret,
    )


def _stated(reason: str) -> bool:
    return sum(ch.isalpha() for ch in reason) >= REASON_MIN


def _opening(pro: Professional, space: Space, now: datetime) -> Verdict:
    """May the professional open the record at all, and on what basis."""
    rel = pro.relation
    if pro.mode in ("emergency", "regulator"):
        if pro.mode == "regulator" and pro.specialty != REGULATOR_SPECIALTY:
            return _refuse(ErrorCode.NOT_REGULATOR, Log.SPACE)
        if not _stated(pro.reason):
            return _refuse(ErrorCode.REASON_REQUIRED, Log.SPACE)
        if rel.revoked:  # the holder's "no" stands in an emergency too
            return _refuse(ErrorCode.ACCESS_REVOKED, Log.SPACE)
        if pro.mode == "emergency" and not space.emergency_access:
            return _refuse(ErrorCode.EMERGENCY_REFUSED, Log.SPACE)
        if pro.mode == "regulator" and not space.regulator_access:
            return _refuse(ErrorCode.REGULATOR_REFUSED, Log.SPACE)
        return Verdict(True, pro.mode)
    if basis := rel.live(now):
        return Verdict(True, basis)
    if rel.revoked:
        return _refuse(ErrorCode.ACCESS_REVOKED, Log.SPACE)
    if rel.ended(now):
        return _refuse(ErrorCode.ACCESS_ENDED, Log.SPACE)
    if pro.consent_declared and not rel.exists:
        return Verdict(True, "new_care_team")
    return _refuse(ErrorCode.CONSENT_REQUIRED, Log.SPACE if rel.exists else Log.SECURITY)


def _messaging(rel: Relation, now: datetime) -> Verdict:
    """Writing to and reading a conversation needs the holder's care, as it stands now."""
    if basis := rel.live(now):
        return Verdict(True, basis)
    if rel.revoked:
        return _refuse(ErrorCode.ACCESS_REVOKED, Log.SPACE)
    if rel.ended(now):
        return _refuse(ErrorCode.ACCESS_ENDED, Log.SPACE)
    return _refuse(ErrorCode.CONSENT_REQUIRED, Log.SPACE if rel.exists else Log.SECURITY)


def _reads_masked(pro: Professional, space: Space) -> bool:
    """Masked documents: the attending physician, and an emergency or regulator access when the
    holder's third switch says so."""
    return pro.relation.attending or (pro.mode in ("emergency", "regulator") and space.masked_in_emergency)


def _item_refusal(pro: Professional, space: Space, item: Item) -> ErrorCode | None:
    """The access matrix and the mask, for a professional let into the record."""
    if item.kind == "document" and item.action != "write" and item.author_id != pro.id:
        if item.type not in readable_types(pro.profession, pro.specialty):
            return ErrorCode.DOCUMENT_NOT_READABLE
        if item.masked and not _reads_masked(pro, space):
            return ErrorCode.DOCUMENT_NOT_READABLE
    if item.kind == "profile":
        if item.action != "write":
            return None if readable_profile(pro, space) else ErrorCode.PROFILE_NOT_READABLE
        sections = readable_sections(pro.profession, pro.specialty)
        if item.section not in sections or item.section not in PRO_WRITABLE_SECTIONS:
            return ErrorCode.PROFILE_NOT_WRITABLE
    return None


def readable_profile(pro: Professional, space: Space) -> frozenset[str]:
    """The profile sections this professional reads: their profession's in the matrix, of those the
    holder shares (the private ones too in an emergency or regulator access when the holder's third
    switch says so). Their own entries they always read (services/pro_profile.py)."""
    sections = readable_sections(pro.profession, pro.specialty)
    if pro.mode in ("emergency", "regulator") and space.masked_in_emergency:
        return sections
    return sections & space.shared_sections


def _app(app: App, space: Space, item: Item) -> Verdict:
    if not space.active:
        return _refuse(ErrorCode.APP_TOKEN_INVALID, Log.SECURITY)
    if not app.consent_live or (app.by_parent and not app.parent_may_act):
        return _refuse(ErrorCode.APP_TOKEN_INVALID, Log.SPACE)
    if not app.app_active:
        return _refuse(ErrorCode.APP_SUSPENDED, Log.SPACE)
    if item.scope and item.scope not in app.scopes:
        return _refuse(ErrorCode.APP_SCOPE_MISSING, Log.SPACE)
    if _hidden_from_viewer(item, parent=app.by_parent):
        return _conceal()
    return Verdict(True, "app", log=Log.SPACE)


def _link(link: Link, space: Space, item: Item) -> Verdict:
    if not space.active or not link.open:
        return _refuse(ErrorCode.SHARE_CLOSED, Log.SECURITY)
    if not item.in_link or _hidden_from_viewer(item, parent=link.by_parent):
        return _conceal()
    return Verdict(True, "share", log=Log.SPACE, notify="share_opened" if item.kind == "share" else "")


def can_read_document(pro: Professional, space: Space, item: Item) -> bool:
    """For a professional already let in: may they see this document? (lists filter with it)"""
    return _item_refusal(pro, space, item) is None
