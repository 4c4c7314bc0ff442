"""Secure messaging screens' state, without a single control: the list of conversations (search,
archived filter, unread counts), one conversation (thread, reply with attachments, archive,
save a received file to the record) and a new conversation with a professional who wrote.

Everything reads and writes the encrypted store through `sync.messages`; sending only queues the
message and asks the sync loop to run, so it works offline and goes exactly once. Only fetching
a received file needs the network, and says so plainly when it is not there.
"""

from dataclasses import dataclass

from mobile.shell import files
from mobile.shell.state import Form, local_error
from mobile.shell.sync_state import SyncBar
from mobile.shell.vault import VaultState
from sync.client import AccountClient
from sync.errors import NetworkError, SyncError
from sync.messages import Conversation, Message, Messaging, NewFile
from sync.protocol.errors import ErrorCode
from sync.protocol.messaging import MAX_ATTACHMENTS

__all__ = ["ComposeForm", "ConversationRow", "MessagesState", "NewConversationForm", "SearchForm"]


@dataclass(frozen=True)
class ConversationRow:
    """One line of the list."""

    id: str
    name: str
    profession: str
    subject: str
    unread: int
    archived: bool
    last_at: str
    last_body: str


class ComposeForm(Form):
    """A reply being written, with what is joined to it (documents of the record, one file)."""

    fields = ("body",)

    def __init__(self, client: AccountClient) -> None:
        super().__init__(client)
        self.documents: list[str] = []
        self.file: NewFile | None = None


class SearchForm(Form):
    """The words searched in the list (subject, professional, messages, attachment names)."""

    fields = ("query",)


class NewConversationForm(Form):
    """A new conversation: the professional (among those who wrote), a subject, a first message."""

    fields = ("professional", "subject", "body")


class MessagesState:
    """The messaging screens of one open vault."""

    def __init__(self, vault: VaultState, bar: SyncBar) -> None:
        self.vault, self.bar = vault, bar
        self.filters = SearchForm(vault.client)
        self.archived = False  # the list shows archived conversations instead of current ones
        self.current: str | None = None
        self.compose = ComposeForm(vault.client)
        self.new = NewConversationForm(vault.client)
        self.new_open = False
        self.banner: SyncError | None = None
        self.notice = ""
        self.busy = False

    def _messaging(self) -> Messaging | None:
        space = self.vault.space
        if space is None or space.store is None or space.documents is None:
            return None
        return Messaging(space.store, space.documents)

    def _need(self) -> Messaging:
        messaging = self._messaging()
        if messaging is None:
            raise local_error(ErrorCode.AUTH_REQUIRED)
        return messaging

    # --- the list ------------------------------------------------------------------------------
    def _all(self) -> list[Conversation]:
        messaging = self._messaging()
        return messaging.conversations() if messaging else []

    def rows(self) -> list[ConversationRow]:
        """Current (or archived) conversations whose words hold every word searched."""
        words = self.filters.values["query"].casefold().split()
        return [
            ConversationRow(
                c.id,
                c.professional_name,
                c.profession,
                c.subject,
                c.unread,
                c.archived,
                c.last_at,
                c.last_body,
            )
            for c in self._all()
            if c.archived == self.archived and all(w in c.words for w in words)
        ]

    def unread_total(self) -> int:
        """Unread messages of current conversations (the number the home screen may show)."""
        return sum(c.unread for c in self._all() if not c.archived)

    def search(self, query: str) -> None:
        self.filters.set("query", query)

    def show_archived(self, archived: bool) -> None:
        self.archived = archived

    def correspondents(self) -> list[tuple[str, str, str]]:
        messaging = self._messaging()
        return messaging.correspondents() if messaging else []

    # --- one conversation ------------------------------------------------------------------------
    def open(self, conversation_id: str) -> bool:
        """Show a conversation and mark the professional's messages read (told on the next sync)."""
        self.banner, self.notice = None, ""
        messaging = self._messaging()
        if messaging is None or messaging.get(conversation_id) is None:
            self.banner = local_error(ErrorCode.MESSAGE_CONVERSATION_UNKNOWN)
            return False
        if self.current != conversation_id:
            self.compose = ComposeForm(self.vault.client)
        self.current = conversation_id
        self.seen()
        return True

    def seen(self) -> None:
        """What the conversation screen shows is read, a message that arrived while it was open too
        (the professional's messages are marked read here, and the server told on the next sync)."""
        messaging = self._messaging()
        if messaging is not None and self.current and messaging.mark_read(self.current):
            self.bar.kick()

    def conversation(self) -> Conversation | None:
        messaging = self._messaging()
        return messaging.get(self.current) if messaging and self.current else None

    def thread(self) -> list[Message]:
        messaging = self._messaging()
        return messaging.thread(self.current) if messaging and self.current else []

    def document_choices(self) -> list[tuple[str, str]]:
        """(id, title) of the record's documents not joined yet, to pick one."""
        space = self.vault.space
        if space is None or space.store is None:
            return []
        items = sorted(space.store.items("document"), key=lambda i: str(i.data.get("date", "")), reverse=True)
        return [(i.id, str(i.data.get("title") or "?")) for i in items if i.id not in self.compose.documents]

    def document_title(self, document_id: str) -> str:
        space = self.vault.space
        item = space.store.get(document_id) if space and space.store else None
        return str(item.data.get("title") or "?") if item else "?"

    def attach_document(self, document_id: str) -> bool:
        form = self.compose
        form.errors.pop("body", None)
        if len(form.documents) + (form.file is not None) >= MAX_ATTACHMENTS:
            form.banner = local_error(ErrorCode.MESSAGE_ATTACHMENT)
            return False
        if document_id and document_id not in form.documents:
            form.documents.append(document_id)
        return True

    def choose_file(self, name: str, data: bytes | None) -> bool:
        """Keep a picked file when it is a PDF, JPEG or PNG under the size limit (one per message)."""
        form = self.compose
        form.banner = None
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        mime = files.sniff_mime(data) if data is not None and ext in files.EXTENSIONS else None
        limit = files.MAX_DOCUMENT_BYTES
        if data is not None and len(data) > limit:
            form.banner = SyncError(ErrorCode.DOCUMENT_TOO_LARGE, {"max_mb": limit // (1024 * 1024)})
            return False
        if data is None or mime is None:
            form.banner = local_error(ErrorCode.DOCUMENT_FORMAT)
            return False
        form.file = NewFile(name[:200], mime, data)
        return True

    def remove_attachment(self, key: str) -> None:
        """`key` is a document id, or "file" for the picked file."""
        form = self.compose
        if key == "file":
            form.file = None
        elif key in form.documents:
            form.documents.remove(key)

    def send(self) -> bool:
        """Queue the reply (offline too); the typed text stays when something is wrong."""
        form = self.compose
        form.clear_errors()
        self.notice = ""
        if self.current is None:
            form.banner = local_error(ErrorCode.MESSAGE_CONVERSATION_UNKNOWN)
            return False
        try:
            self._need().send(self.current, form.values["body"], form.documents, form.file)
        except SyncError as err:
            if err.code in (ErrorCode.MESSAGE_EMPTY, ErrorCode.MESSAGE_TOO_LONG):
                form.errors["body"] = err
            else:
                form.banner = err
            return False
        except OSError:
            form.banner = local_error(ErrorCode.STORE_DAMAGED)
            return False
        self.compose = ComposeForm(self.vault.client)
        self.notice = "ui.messages.sent"
        self.bar.kick()
        return True

    def set_archived(self, archived: bool) -> bool:
        self.banner = None
        if self.current is None:
            return False
        try:
            self._need().set_archived(self.current, archived)
        except SyncError as err:
            self.banner = err
            return False
        self.notice = "ui.messages.archived.done" if archived else "ui.messages.unarchived.done"
        self.bar.kick()
        return True

    def save_attachment(self, message_id: str, index: int) -> str | None:
        """Keep a received file as a document of the record; its new record id."""
        self.banner, self.notice = None, ""
        try:
            record_id = self._need().save_to_record(message_id, index, self.vault.client.message_attachment)
        except NetworkError:
            self.banner = local_error("ui.messages.attachment.offline")
            return None
        except SyncError as err:
            self.banner = err
            return None
        self.notice = "ui.messages.attachment.saved"
        self.bar.kick()
        return record_id

    # --- a new conversation ----------------------------------------------------------------------
    def open_new(self, professional_id: str = "") -> None:
        self.new = NewConversationForm(self.vault.client)
        self.new.values["professional"] = professional_id
        self.new_open = True

    def start(self) -> str | None:
        """Open a conversation with a professional who wrote before; its id (the app shows it)."""
        form = self.new
        form.clear_errors()
        values = form.values
        if not values["professional"]:
            form.errors["professional"] = local_error("ui.messages.error.pro")
        for name in ("subject", "body"):
            if not values[name].strip():
                form.errors[name] = local_error(ErrorCode.MESSAGE_EMPTY)
        if form.errors:
            return None
        try:
            conversation_id = self._need().start(values["professional"], values["subject"], values["body"])
        except SyncError as err:
            field = {ErrorCode.MESSAGE_PRO_UNKNOWN.value: "professional"}.get(err.code)
            if field:
                form.errors[field] = err
            elif err.code == ErrorCode.MESSAGE_TOO_LONG:
                form.errors["subject" if len(values["subject"]) > 200 else "body"] = err
            else:
                form.banner = err
            return None
        self.new_open = False
        self.new = NewConversationForm(self.vault.client)
        self.current = None
        self.open(conversation_id)
        self.bar.kick()
        return conversation_id
