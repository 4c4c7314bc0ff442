"""Domain error codes shared by the server (HTTP status) and the app (translated message).

Every failure a person can meet has one code; its value is the key of its message in
`assets/i18n/<lang>.json`, so the same words are shown whatever end detected it.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    """One member per domain failure; the value is the translation key."""

    # Identifier formats (checked on the phone and again on the server).
    NIR_EMPTY = "error.nir.empty"
    NIR_LENGTH = "error.nir.length"
    NIR_FORMAT = "error.nir.format"
    NIR_KEY = "error.nir.key"
    VITALE_EMPTY = "error.vitale.empty"
    VITALE_FORMAT = "error.vitale.format"
    CODE_EMPTY = "error.code.empty"
    CODE_FORMAT = "error.code.format"
    RPPS_FORMAT = "error.rpps.format"
    RPPS_KEY = "error.rpps.key"
    # Activation, objection and new letters.
    IDENTIFIERS_MISMATCH = "error.identifiers.mismatch"
    CODE_EXPIRED = "error.code.expired"
    ALREADY_ACTIVE = "error.space.already_active"
    OBJECTION_WINDOW_OVER = "error.objection.window_over"
    ALREADY_OBJECTED = "error.objection.already"
    EMAIL_INVALID = "error.email.invalid"
    EMAIL_TAKEN = "error.email.taken"
    PHONE_INVALID = "error.phone.invalid"
    PASSWORD_WEAK = "error.password.weak"
    PASSWORD_WRONG = "error.password.wrong"  # the current password, asked again before a change
    PHONE_MISSING = "error.account.phone_missing"  # codes by SMS need a phone number first
    # Login and one-time codes.
    LOGIN_FAILED = "error.login.failed"
    ACCOUNT_LOCKED = "error.account.locked"
    OTP_INVALID = "error.otp.invalid"
    OTP_EXPIRED = "error.otp.expired"
    OTP_RESEND_TOO_SOON = "error.otp.resend_too_soon"
    DELIVERY_FAILED = "error.delivery.failed"
    RATE_LIMITED = "error.rate_limited"
    # Sessions and the space's state.
    AUTH_REQUIRED = "error.auth.required"
    SESSION_EXPIRED = "error.session.expired"
    # "Déconnecter cet appareil" was chosen on another device: forget the vault key, log in again.
    DEVICE_SIGNED_OUT = "error.auth.device_signed_out"
    SPACE_CLOSED = "error.space.closed"
    SPACE_NOT_CLOSED = "error.space.not_closed"
    # Professionals' access to a record.
    PATIENT_NOT_FOUND = "error.access.patient_not_found"
    ACCESS_BLOCKED = "error.access.blocked"
    ACCESS_NOT_AUTHORISED = "error.access.not_authorised"
    ACCESS_REVOKED = "error.access.revoked"
    CONSENT_REQUIRED = "error.access.consent_required"
    REASON_REQUIRED = "error.access.reason_required"
    EMERGENCY_REFUSED = "error.access.emergency_refused"
    REGULATOR_REFUSED = "error.access.regulator_refused"
    NOT_REGULATOR = "error.access.not_regulator"
    DOCUMENT_NOT_READABLE = "error.access.document_not_readable"
    PRO_KEY_INVALID = "error.pro.key_invalid"
    DOCUMENT_TYPE_UNKNOWN = "error.document.type_unknown"
    DOCUMENT_TOO_LARGE = "error.document.too_large"
    DOCUMENT_FORMAT = "error.document.format"
    # Measurements of the medical profile.
    MEASURE_IMPOSSIBLE = "error.measure.impossible"
    MEASURE_KIND = "error.measure.kind"
    MEASURE_DIASTOLIC_MISSING = "error.measure.diastolic_missing"
    MEASURE_PRESSURE_ORDER = "error.measure.pressure_order"
    # Entries of the medical profile (lists, wishes, contacts).
    PROFILE_SECTION = "error.profile.section"
    PROFILE_REQUIRED = "error.profile.required"
    PROFILE_TOO_LONG = "error.profile.too_long"
    PROFILE_CHOICE = "error.profile.choice"
    PROFILE_VACCINE = "error.profile.vaccine"
    PROFILE_DATE = "error.profile.date"
    PROFILE_FUTURE = "error.profile.future"
    MEASURE_FUTURE = "error.measurements.future"
    PROFILE_UNTIL_BEFORE_SINCE = "error.profile.until_before_since"
    PROFILE_NUMBER = "error.profile.number"
    # The key-age questionnaires ("Mon bilan prévention").
    QUESTIONNAIRE_UNKNOWN = "error.questionnaire.unknown"
    QUESTIONNAIRE_REQUIRED = "error.questionnaire.required"
    QUESTIONNAIRE_ANSWER = "error.questionnaire.answer"
    QUESTIONNAIRE_INCOMPLETE = "error.questionnaire.incomplete"
    # Synchronisation and uploads.
    SYNC_READ_ONLY = "error.sync.read_only"
    SYNC_REJECTED = "error.sync.rejected"
    UPLOAD_OFFSET = "error.upload.offset"
    UPLOAD_CHECKSUM = "error.upload.checksum"
    # The device's unlock code.
    PIN_SHORT = "error.pin.short"
    PIN_SIMPLE = "error.pin.simple"
    PIN_DIGITS = "error.pin.digits"
    PIN_MISMATCH = "error.pin.mismatch"
    PIN_WRONG = "error.pin.wrong"
    PIN_WAIT = "error.pin.wait"
    STORE_DAMAGED = "error.store.damaged"
    # Transport.
    REQUEST_INVALID = "error.request.invalid"
    REQUEST_TOO_LARGE = "error.request.too_large"
    NOT_FOUND = "error.not_found"
    REPORT_CANNOT_BLOCK = "error.report.cannot_block"
    SHARE_DOCUMENT_UNKNOWN = "error.share.document_unknown"
    SHARE_CLOSED = "error.share.closed"
    SHARE_CODE_WRONG = "error.share.code_wrong"
    SERVER_ERROR = "error.server"
    NETWORK = "error.network"
    # Administrative data: the holder's correction requests; professionals and the profile.
    ADMIN_FIELD = "error.admin.field"
    ADMIN_VALUE_EMPTY = "error.admin.value_empty"
    ADMIN_VALUE_TOO_LONG = "error.admin.value_too_long"
    ADMIN_BIRTH_DATE = "error.admin.birth_date"
    ADMIN_NOTE_TOO_LONG = "error.admin.note_too_long"
    ADMIN_SAME_VALUE = "error.admin.same_value"
    ADMIN_ALREADY_OPEN = "error.admin.already_open"
    ADMIN_DECIDED = "error.admin.decided"
    PROFILE_NOT_READABLE = "error.access.profile_not_readable"
    PROFILE_NOT_WRITABLE = "error.access.profile_not_writable"
    # Secure messaging.
    MESSAGE_EMPTY = "error.message.empty"
    MESSAGE_TOO_LONG = "error.message.too_long"
    MESSAGE_CONVERSATION_UNKNOWN = "error.message.conversation_unknown"
    MESSAGE_PRO_UNKNOWN = "error.message.pro_unknown"
    MESSAGE_PRO_UNAVAILABLE = "error.message.pro_unavailable"
    MESSAGE_ATTACHMENT = "error.message.attachment"
    MESSAGE_FILE_PENDING = "error.message.file_pending"
    MESSAGE_CHANGE_REFUSED = "error.message.change_refused"
    # Referenced apps of the catalogue and their consents.
    APP_UNKNOWN = "error.catalogue.app_unknown"
    APP_SUSPENDED = "error.catalogue.app_suspended"
    CONSENT_EXPIRED = "error.catalogue.consent_expired"
    CONSENT_SUBJECT = "error.catalogue.consent_subject"
    APP_TOKEN_INVALID = "error.catalogue.token_invalid"
    APP_SCOPE_MISSING = "error.catalogue.scope_missing"
    # Reliability: the database cannot be reached for a moment (503, retry later).
    SERVER_UNAVAILABLE = "error.server.unavailable"
    # Parents acting on their minor children's spaces (issue #7).
    CHILD_NOT_GUARDIAN = "error.children.not_guardian"
    CHILD_ACTIVATES_FROM_PARENT = "error.children.from_parent_space"
    # Helpers (aidants) and adults under legal protection (issue #16).
    HELPER_NOT_FOUND = "error.helpers.not_found"
    HELPER_SELF = "error.helpers.self"
    HELPER_MINOR = "error.helpers.minor"
    HELPER_SPACE_NOT_ACTIVE = "error.helpers.space_not_active"
    HELPER_TOO_MANY = "error.helpers.too_many"
    HELPER_ALREADY = "error.helpers.already"
    HELPER_DATES = "error.helpers.dates"
    HELPER_INVITATION_EXPIRED = "error.helpers.invitation_expired"
    HELPER_NOT_ALLOWED = "error.helpers.not_allowed"
    HELPER_READ_ONLY = "error.helpers.read_only"
    HELPER_ENDED = "error.helpers.ended"
    # The one gate (backend_stub/rules/gate.py): ended authorisations, professionals' keys.
    ACCESS_ENDED = "error.access.ended"
    AUTHORISATION_END_PAST = "error.access.end_in_past"
    # Evidence and health data sealed at rest (issue #15).
    DOCUMENT_DAMAGED = "error.document.damaged"
    LOG_TRUNCATED = "error.log.truncated"
    LOG_REWRITTEN = "error.log.rewritten"
    LOG_SIGNATURE = "error.log.signature"
    # A person's rights over their health data (issue #18).
    RIGHTS_TEXT_EMPTY = "error.rights.text_empty"
    RIGHTS_TEXT_TOO_LONG = "error.rights.text_too_long"
    CORRECTION_NOT_CORRECTABLE = "error.rights.not_correctable"
    CORRECTION_ALREADY_OPEN = "error.rights.already_open"
    CORRECTION_DECIDED = "error.rights.decided"
