"""Typed settings from `ENS_*` environment variables, refusing insecure values in production."""

import secrets
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend_stub.sealed_blobs import MasterKeys


class Settings(BaseSettings):
    """Everything configurable about the server; defaults suit a laptop demo."""

    model_config = SettingsConfigDict(env_prefix="ENS_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""
    # Keys the HMAC of identifiers and codes; in development a random one is kept in data_dir.
    secret_key: str = ""
    # Wrap the per-document keys of files at rest: `kid:base64key,...`, the current one first
    # (see sealed_blobs.py); in development a random one is kept in data_dir.
    master_keys: str = ""
    # Documents in an S3-compatible bucket instead of `<data_dir>/blobs` (s3_blobs.py; needs boto3,
    # `pip install .[s3]`); credentials from the usual AWS variables. Empty: the data folder.
    s3_bucket: str = ""
    s3_endpoint_url: str = ""  # e.g. the host's object store; empty: AWS's own
    # How many holders' unwrapped keys of sealed columns a process keeps (holder_keys.py).
    holder_key_cache: int = 50_000
    # Key the links of the access logs (HMAC): `kid:base64key,...`, the current one first, the
    # others kept to check older entries (services/audit.py); in development a file in data_dir.
    log_keys: str = ""
    # Sign the checkpoints of the logs' heads (Ed25519 seeds, same format; evidence/checkpoints.py).
    log_signing_keys: str = ""
    # The seeds of the P-256 keys that sign vaccination records (SMART Health Cards), same format.
    card_signing_keys: str = ""
    # A checkpoint every so many log entries or seconds, whichever comes first, per process.
    checkpoint_every: int = 1000
    checkpoint_seconds: float = 300.0
    # Where checkpoints are appended (one file per day); default `<data_dir>/checkpoints`.
    checkpoint_dir: Path | None = None

    access_token_minutes: int = 15
    refresh_token_hours: int = 12
    # A login lasts at most this long, refreshes or not: then the password and a code again.
    session_max_days: int = 30
    # The refresh token just rotated is honoured once more within this many seconds (or later, while
    # nobody has used the pair it gave), returning that same pair: a device killed mid-rotation
    # stays signed in. Any other reuse ends the whole session as theft (services/sessions.py).
    refresh_grace_seconds: int = 30
    known_device_days: int = 365  # a device not logged in from for this long is no longer "known"
    otp_ttl_seconds: int = 300
    otp_max_attempts: int = 5
    otp_resend_seconds: int = 60
    otp_max_resends: int = 3
    lockout_minutes: int = 15
    objection_weeks: int = 6
    archive_years: int = 10  # the space's data after closure (the access log: 3 years at least)
    # Where a holder's complaint goes (EHDS art. 21: the digital health authority's address).
    complaint_authority: str = "plaintes@autorite-sante-numerique.example"
    max_body_bytes: int = 64 * 1024

    # Token buckets per client address and per account / identifier: `rate_per_*` attempts at once,
    # then one more every window/limit seconds (services/ratelimit.py).
    rate_per_client: int = 30
    rate_per_account: int = 10
    rate_messages_per_account: int = 3  # letters and reset codes sent to one person per window
    rate_window_seconds: int = 600
    rate_limits_enabled: bool = True
    # Professionals' API keys: their life, the calls one key may make per window, and the alert on
    # unusual emergency use (more distinct patients than this within the minutes below).
    pro_key_days: int = 365
    rate_per_pro_key: int = 3000  # per window: 5 a second on average, bursts allowed
    emergency_alert_patients: int = 5
    emergency_alert_minutes: int = 60
    # Addresses (or networks, e.g. 10.0.0.0/8) of proxies whose X-Forwarded-For is believed: the
    # Flet app server in web mode, a load balancer. Empty: the header is ignored.
    trusted_proxies: str = ""
    # How often each server process sends what `queued_message` holds (0: only `send-queued`).
    queue_drain_seconds: float = 2.0

    # Argon2id cost (argon2-cffi's defaults: RFC 9106 low-memory profile).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    argon2_max_concurrent: int = 0  # password checks at once per process; 0 = one per core

    email_sender: Literal["outbox", "smtp"] = "outbox"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Mon espace santé <ne-pas-repondre@espace-sante.example>"
    sms_sender: Literal["outbox", "http"] = "outbox"
    sms_url: str = ""
    sms_token: str = ""

    # The Flet app: named in letters, and where a connecting app's request opens the consent screen.
    public_app_url: str = "http://127.0.0.1:8550"
    # Where people who receive a share link reach this server (the link is built on it).
    public_api_url: str = "http://127.0.0.1:8000"
    consent_request_minutes: int = 15
    auth_code_seconds: int = 120

    @model_validator(mode="after")
    def _defaults_and_safety(self) -> "Settings":
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'ens.db'}"
        if self.env == "production":
            if len(self.secret_key) < 32:
                raise ValueError("ENS_SECRET_KEY must be set (32+ characters) in production")
            if not self.master_keys:
                raise ValueError("ENS_MASTER_KEYS must be set in production")
            if self.email_sender == "outbox" or self.sms_sender == "outbox":
                raise ValueError("the development outbox cannot deliver codes in production")
        else:
            self.secret_key = self.secret_key or _development_file(
                self.data_dir / "secret.key", lambda: secrets.token_urlsafe(48)
            )
            self.master_keys = self.master_keys or _development_file(
                self.data_dir / "master.keys", lambda: MasterKeys.generate("dev1")
            )
            self.log_keys = self.log_keys or _development_file(
                self.data_dir / "log.keys", lambda: MasterKeys.generate("log1")
            )
            self.log_signing_keys = self.log_signing_keys or _development_file(
                self.data_dir / "log-signing.keys", lambda: MasterKeys.generate("sign1")
            )
            self.card_signing_keys = self.card_signing_keys or _development_file(
                self.data_dir / "card-signing.keys", lambda: MasterKeys.generate("card1")
            )
        for keys in filter(
            None, (self.master_keys, self.log_keys, self.log_signing_keys, self.card_signing_keys)
        ):
            MasterKeys.parse(keys)  # refuse a malformed key at start, not at the first use
        self.checkpoint_dir = self.checkpoint_dir or self.data_dir / "checkpoints"
        return self

    def evidence_keys(self) -> tuple[str, str]:
        """The log's link keys and signing keys, asked for when the server's context is built: it
        refuses to start without them (settings alone, as `new-master-key` reads, do not need them)."""
        if not self.log_keys or not self.log_signing_keys:
            raise ValueError("ENS_LOG_KEYS and ENS_LOG_SIGNING_KEYS must be set in production")
        return self.log_keys, self.log_signing_keys

    @property
    def outbox_dir(self) -> Path:
        """Where the development outbox drops letters, e-mails and SMS."""
        return self.data_dir / "outbox"


def _development_file(path: Path, make: Callable[[], str]) -> str:
    """A random key kept beside the demo database, so restarts keep codes, digests and files valid."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


@cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
