"""'Ce que voient les professionnels': which sections of the medical profile professionals may
read, on top of what their profession may read (the access matrix). Shared by default as the
national app: vaccinations, illnesses, family history, hospital stays, wishes; the rest private
until shared. Each switch is saved at once (the server decides, through the access gate)."""

import flet as ft

from mobile.record_access.common import entering, record
from mobile.record_access.state import SharingState
from mobile.shell.panels import load_in_background, problem, status_line
from mobile.shell.widgets import BODY_SIZE, ERROR_FG, Ui, column, para, title
from sync.protocol.record_schemas import SectionSharing

# What a professional must know to treat safely (EHDS art. 8: restricting access comes with a warning).
SAFETY_SECTIONS = ("allergy", "treatment", "blood_group")


def section_label(ui: Ui, section: str) -> str:
    own = f"ui.sharing.section.{section}"
    found = ui.t(own)
    return found if found != own else ui.t(f"ui.profile.section.{section}")


def _switch(ui: Ui, sharing: SharingState, item: SectionSharing) -> ft.Control:
    async def changed(e: ft.ControlEvent) -> None:
        shared = bool(e.control.value)
        await ui.run(sharing, lambda: sharing.set(item.section, shared))

    hint = ui.t("ui.sharing.default.shared" if item.default else "ui.sharing.default.private")
    risky = not item.shared and item.section in SAFETY_SECTIONS
    return ft.Column(
        column(
            ft.Switch(
                key=f"sharing-{item.section}",
                label=section_label(ui, item.section),
                value=item.shared,
                disabled=sharing.busy,
                label_text_style=ft.TextStyle(size=BODY_SIZE),
                on_change=changed,
            ),
            ft.Text(hint, size=15, key=f"sharing-{item.section}-hint"),
            ft.Text(
                ui.t(f"ui.sharing.risk.{item.section}"),
                size=15,
                color=ERROR_FG,
                key=f"sharing-{item.section}-risk",
            )
            if risky
            else None,
        ),
        spacing=2,
        key=f"sharing-{item.section}-box",
    )


def build(ui: Ui) -> list[ft.Control]:
    sharing = record(ui).sharing
    if entering(ui, "profile-sharing"):
        sharing.loaded, sharing.offline, sharing.banner, sharing.notice = False, False, None, None
    if not sharing.loaded and not sharing.offline and sharing.banner is None:
        load_in_background(ui, sharing, sharing.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(sharing, sharing.load)

    return column(
        title(ui.t("ui.sharing.title")),
        para(ui.t("ui.sharing.intro"), key="sharing-intro"),
        para(ui.t("ui.sharing.safety"), key="sharing-safety"),
        status_line(ui, sharing, "sharing"),
        problem(ui, sharing, retry, "sharing"),
        *[_switch(ui, sharing, item) for item in sharing.sections()],
    )
