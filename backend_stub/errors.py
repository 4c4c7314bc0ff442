"""The server's one exception type for domain failures, and the HTTP status of each code.

DomainError(code, **params)      raised by services and rules
  -> JSON {"code": "...", "params": {...}} with the status below; the app translates code.
"""

from typing import Any

from sync.protocol.errors import ErrorCode

STATUS: dict[ErrorCode, int] = {
    ErrorCode.IDENTIFIERS_MISMATCH: 400,
    ErrorCode.CODE_EXPIRED: 410,
    ErrorCode.ALREADY_ACTIVE: 409,
    ErrorCode.OBJECTION_WINDOW_OVER: 409,
    ErrorCode.ALREADY_OBJECTED: 409,
    ErrorCode.EMAIL_TAKEN: 409,
    ErrorCode.LOGIN_FAILED: 401,
    ErrorCode.ACCOUNT_LOCKED: 423,
    ErrorCode.OTP_INVALID: 401,
    ErrorCode.OTP_EXPIRED: 410,
    ErrorCode.OTP_RESEND_TOO_SOON: 429,
    ErrorCode.DELIVERY_FAILED: 503,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.SHARE_DOCUMENT_UNKNOWN: 400,
    ErrorCode.SHARE_CLOSED: 410,
    ErrorCode.SHARE_CODE_WRONG: 403,
    ErrorCode.REPORT_CANNOT_BLOCK: 400,
    ErrorCode.AUTH_REQUIRED: 401,
    ErrorCode.SESSION_EXPIRED: 401,
    ErrorCode.DEVICE_SIGNED_OUT: 401,
    ErrorCode.PASSWORD_WRONG: 403,
    ErrorCode.PHONE_MISSING: 409,
    ErrorCode.SPACE_CLOSED: 403,
    ErrorCode.CHILD_NOT_GUARDIAN: 403,
    ErrorCode.CHILD_ACTIVATES_FROM_PARENT: 409,
    ErrorCode.HELPER_NOT_FOUND: 404,
    ErrorCode.HELPER_SELF: 422,
    ErrorCode.HELPER_MINOR: 422,
    ErrorCode.HELPER_SPACE_NOT_ACTIVE: 409,
    ErrorCode.HELPER_TOO_MANY: 409,
    ErrorCode.HELPER_ALREADY: 409,
    ErrorCode.HELPER_DATES: 422,
    ErrorCode.HELPER_INVITATION_EXPIRED: 410,
    ErrorCode.HELPER_NOT_ALLOWED: 403,
    ErrorCode.HELPER_READ_ONLY: 403,
    ErrorCode.HELPER_ENDED: 403,
    ErrorCode.SPACE_NOT_CLOSED: 409,
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.SYNC_READ_ONLY: 403,
    ErrorCode.PATIENT_NOT_FOUND: 404,
    ErrorCode.ACCESS_BLOCKED: 403,
    ErrorCode.ACCESS_NOT_AUTHORISED: 403,
    ErrorCode.ACCESS_REVOKED: 403,
    ErrorCode.ACCESS_ENDED: 403,
    ErrorCode.CONSENT_REQUIRED: 403,
    ErrorCode.EMERGENCY_REFUSED: 403,
    ErrorCode.REGULATOR_REFUSED: 403,
    ErrorCode.NOT_REGULATOR: 403,
    ErrorCode.DOCUMENT_NOT_READABLE: 403,
    ErrorCode.PRO_KEY_INVALID: 401,
    ErrorCode.DOCUMENT_TOO_LARGE: 413,
    ErrorCode.DOCUMENT_DAMAGED: 410,  # the intact bytes are gone until restored: no retry helps
    ErrorCode.UPLOAD_OFFSET: 409,
    ErrorCode.UPLOAD_CHECKSUM: 422,
    ErrorCode.ADMIN_ALREADY_OPEN: 409,
    ErrorCode.ADMIN_DECIDED: 409,
    ErrorCode.PROFILE_NOT_READABLE: 403,
    ErrorCode.PROFILE_NOT_WRITABLE: 403,
    ErrorCode.MESSAGE_CONVERSATION_UNKNOWN: 404,
    ErrorCode.MESSAGE_PRO_UNKNOWN: 403,
    ErrorCode.MESSAGE_PRO_UNAVAILABLE: 403,
    ErrorCode.MESSAGE_ATTACHMENT: 404,
    ErrorCode.MESSAGE_FILE_PENDING: 409,
    ErrorCode.APP_UNKNOWN: 404,
    ErrorCode.APP_SUSPENDED: 403,
    ErrorCode.CONSENT_EXPIRED: 410,
    ErrorCode.CONSENT_SUBJECT: 403,
    ErrorCode.APP_TOKEN_INVALID: 401,
    ErrorCode.APP_SCOPE_MISSING: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CORRECTION_ALREADY_OPEN: 409,
    ErrorCode.CORRECTION_DECIDED: 409,
    ErrorCode.SERVER_ERROR: 500,
}


class DomainError(Exception):
    """A rule said no; `code` is the translation key, `params` fill in its message."""

    def __init__(self, code: ErrorCode, **params: Any) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params

    @property
    def status(self) -> int:
        """Input-format errors default to 422; everything else is listed in STATUS."""
        return STATUS.get(self.code, 422)
