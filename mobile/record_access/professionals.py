"""My health professionals: the list and its decisions, the attending physician, adding one.

Every change goes to the server at once; the list on screen is the server's answer.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import flet as ft

from mobile.record_access.common import entering, record
from mobile.record_access.state import (
    PERIODS,
    ProfessionalsState,
    display_name,
    grant_status,
    profession_label,
)
from mobile.shell.date_pickers import picker_button, with_picker
from mobile.shell.panels import (
    chip,
    confirm_dialog,
    load_in_background,
    notice_text,
    problem,
    small_button,
    status_line,
)
from mobile.shell.state import Screen
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    INFO_BG,
    INFO_FG,
    Ui,
    banner,
    column,
    para,
    primary_button,
    radio_group,
    secondary_button,
    subtitle,
    title,
)
from mobile.shell.words import format_date
from sync.protocol.record_schemas import GrantOut, ProfessionalOut

# An authorisation until the next local midnight ends, as people say it, on the day before.
_A_MOMENT = timedelta(seconds=1)
STATUS_COLOURS = {
    "authorised": (INFO_FG, INFO_BG, ft.Icons.CHECK_CIRCLE_OUTLINE),
    "care_team": (INFO_FG, INFO_BG, ft.Icons.GROUPS),
    "revoked": ("#4A4A4A", "#ECECEC", ft.Icons.REMOVE_CIRCLE_OUTLINE),
    "expired": ("#4A4A4A", "#ECECEC", ft.Icons.HOURGLASS_BOTTOM),
    "blocked": (ERROR_FG, "#FDECEA", ft.Icons.BLOCK),
}


def _name(pro: ProfessionalOut) -> str:
    return display_name(f"{pro.first_name} {pro.last_name}", pro.profession)


def _who(ui: Ui, pro: ProfessionalOut, key: str) -> ft.Control:
    details = profession_label(pro.profession, ui.state.lang)
    if pro.city:
        details += f" · {pro.city}"
    return ft.Column(
        [
            ft.Text(_name(pro), size=19, weight=ft.FontWeight.W_600, key=f"{key}-name"),
            ft.Text(details, size=16, key=f"{key}-profession"),
            ft.Text(ui.t("ui.pros.rpps", rpps=pro.rpps), size=15, color="#4A4A4A", key=f"{key}-rpps"),
        ],
        spacing=2,
        expand=True,
        key=f"{key}-who",
    )


def _authorise_panel(ui: Ui, pros: ProfessionalsState, pro: ProfessionalOut, key: str) -> ft.Control:
    """Choose the period: 1 month, 6 months, 1 year, until a date, or for good."""

    def period_changed(e: ft.ControlEvent) -> None:
        pros.set_period(e.control.value or "1y")
        ui.render()

    def until_changed(e: ft.ControlEvent) -> None:
        had_error = pros.until_error is not None
        pros.set_until(e.control.value or "")
        if had_error:
            ui.render()

    async def confirm(_: ft.ControlEvent) -> None:
        await _acted(ui, pros, pro.id, pros.authorising_where, lambda: pros.authorise(tz=ui.state.tz))

    def cancel(_: ft.ControlEvent) -> None:
        pros.cancel_authorise()
        ui.render()

    periods = [(p, ui.t(f"ui.pros.period.{p}")) for p in PERIODS]
    radios = radio_group(f"{key}-period", pros.period, periods, period_changed)
    date_field = None
    if pros.period == "date":

        def chosen(value: str) -> None:
            pros.set_until(value)
            ui.render()

        label = ui.t("ui.pros.until.label")
        box = ft.TextField(
            key=f"{key}-until",
            label=label,
            value=pros.until_text,
            helper=ui.t("ui.pros.until.helper"),
            helper_max_lines=3,
            error=ui.err(pros.until_error),
            error_max_lines=3,
            keyboard_type=ft.KeyboardType.DATETIME,
            text_size=18,
            label_style=ft.TextStyle(size=17),
            helper_style=ft.TextStyle(size=15),
            error_style=ft.TextStyle(size=15, color=ERROR_FG),
            read_only=pros.busy,
            on_change=until_changed,
            on_submit=confirm,
        )
        button = picker_button(
            ui, kind="day", key=f"{key}-until", label=label, current=lambda: pros.until_text, chosen=chosen
        )
        date_field = with_picker(box, button, f"{key}-until")
    return ft.Container(
        key=key,
        bgcolor="#F2F6FB",
        border_radius=10,
        padding=12,
        content=ft.Column(
            column(
                ft.Text(
                    ui.t("ui.pros.period.title", name=_name(pro)),
                    size=18,
                    weight=ft.FontWeight.W_600,
                    key=f"{key}-title",
                ),
                ft.Semantics(label=ui.t("ui.pros.period.label"), content=radios, key=f"{key}-period-sem"),
                date_field,
                para(ui.t("ui.pros.authorise.explain", name=_name(pro)), key=f"{key}-explain"),
                primary_button(
                    ui.t("ui.pros.authorise.confirm"),
                    f"{key}-confirm",
                    confirm,
                    busy=pros.busy,
                    icon=ft.Icons.VERIFIED_USER,
                ),
                secondary_button(ui.t("ui.cancel"), f"{key}-cancel", cancel, busy=pros.busy),
            ),
            spacing=10,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            key=f"{key}-body",
        ),
    )


def _outcome(ui: Ui, pros: ProfessionalsState, pid: str, where: str, key: str) -> ft.Control | None:
    """The last action's progress, confirmation or error, in the card acted on (not at the top of a
    long page), in a live region so that a screen reader announces it where the person is."""
    if not pros.outcome_in(pid, where):
        return None
    parts = column(status_line(ui, pros, key), banner(ui, pros.banner, key=f"{key}-banner"))
    words = _outcome_words(ui, pros)
    if not parts or not words:
        return None
    # A live region's own label: the words, read once (Android reads it; see also `_acted`).
    return ft.Semantics(
        label=words,
        live_region=True,
        container=True,
        exclude_semantics=True,
        key=f"{key}-outcome",
        content=ft.Column(parts, spacing=8),
    )


def _outcome_words(ui: Ui, pros: ProfessionalsState) -> str | None:
    return ui.t("ui.busy") if pros.busy else ui.err(pros.banner) or notice_text(ui, pros)


async def _acted(ui: Ui, pros: ProfessionalsState, pid: str, where: str, action: Callable[[], bool]) -> None:
    """Run an action on one professional, its progress and outcome drawn in their card, and say
    the outcome to a screen reader there and then."""
    pros.aim(pid, where)
    await ui.run(pros, action)
    await ui.announce(_outcome_words(ui, pros))


def _grant_card(ui: Ui, pros: ProfessionalsState, grant: GrantOut, now: datetime) -> ft.Control:
    pro, lang = grant.professional, ui.state.lang
    pid, key = pro.id, f"grant-{grant.professional.id}"
    status = grant_status(grant, now)
    fg, bg, icon = STATUS_COLOURS[status]
    name = _name(pro)

    def start(_: ft.ControlEvent) -> None:
        pros.start_authorise(pid, where="list")
        ui.render()

    def ask(kind: str, danger: bool) -> Any:
        async def act() -> None:
            actions = {
                "revoke": lambda: pros.revoke(pid),
                "block": lambda: pros.block(pid),
                "attending": lambda: pros.set_attending(pid),
                "attending_clear": lambda: pros.set_attending(None),
            }
            await _acted(ui, pros, pid, "list", actions[kind])

        def handler(_: ft.ControlEvent) -> None:
            ui.page.show_dialog(
                confirm_dialog(
                    ui,
                    key=f"dialog-{kind}",
                    title=ui.t(f"ui.pros.{kind}.title", name=name),
                    text=ui.t(f"ui.pros.{kind}.text", name=name),
                    confirm=ui.t(f"ui.pros.{kind}.confirm"),
                    on_confirm=act,
                    danger=danger,
                )
            )

        return handler

    async def unblock(_: ft.ControlEvent) -> None:
        await _acted(ui, pros, pid, "list", lambda: pros.unblock(pid))

    dates: list[str] = []
    if status == "blocked":
        dates.append(ui.t("ui.pros.blocked.note"))
    elif status == "revoked" and grant.revoked_at is not None:
        dates.append(ui.t("ui.pros.revoked_on", date=format_date(grant.revoked_at, lang, ui.state.tz)))
    else:
        dates.append(ui.t("ui.pros.since", date=format_date(grant.since, lang, ui.state.tz)))
        if grant.until is not None:
            dates.append(ui.t("ui.pros.until", date=format_date(grant.until - _A_MOMENT, lang, ui.state.tz)))
        else:
            dates.append(ui.t("ui.pros.until.none"))

    buttons: list[ft.Control] = []
    if status == "blocked":
        buttons.append(
            small_button(ui.t("ui.pros.action.unblock"), f"{key}-unblock", unblock, icon=ft.Icons.LOCK_OPEN)
        )
    else:
        if status in ("authorised", "care_team"):
            label = "ui.pros.action.change" if status == "authorised" else "ui.pros.action.authorise"
            buttons.append(small_button(ui.t(label), f"{key}-authorise", start, icon=ft.Icons.SCHEDULE))
            buttons.append(
                small_button(
                    ui.t("ui.pros.action.revoke"),
                    f"{key}-revoke",
                    ask("revoke", True),
                    icon=ft.Icons.REMOVE_CIRCLE_OUTLINE,
                    danger=True,
                )
            )
        else:
            buttons.append(
                small_button(
                    ui.t("ui.pros.action.reauthorise"), f"{key}-authorise", start, icon=ft.Icons.SCHEDULE
                )
            )
        buttons.append(
            small_button(
                ui.t("ui.pros.action.block"),
                f"{key}-block",
                ask("block", True),
                icon=ft.Icons.BLOCK,
                danger=True,
            )
        )
        if grant.attending:
            buttons.append(
                small_button(
                    ui.t("ui.pros.action.attending_clear"),
                    f"{key}-attending-clear",
                    ask("attending_clear", False),
                    icon=ft.Icons.STAR_OUTLINE,
                )
            )
        elif pros.can_be_attending(pro):
            buttons.append(
                small_button(
                    ui.t("ui.pros.action.attending"),
                    f"{key}-attending",
                    ask("attending", False),
                    icon=ft.Icons.STAR,
                )
            )

    chips: list[ft.Control] = [chip(ui.t(f"ui.pros.status.{status}"), fg, bg, f"{key}-status", icon)]
    if grant.attending:
        chips.append(
            chip(
                ui.t("ui.pros.attending.badge"), "#5B3A00", "#FFE9B0", f"{key}-attending-badge", ft.Icons.STAR
            )
        )
    panel = None
    if pros.authorising == pid and pros.authorising_where == "list":
        panel = _authorise_panel(ui, pros, pro, f"{key}-panel")
    return ft.Container(
        key=key,
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=14,
        content=ft.Column(
            column(
                _who(ui, pro, key),
                ft.Row(chips, wrap=True, spacing=8, run_spacing=6, key=f"{key}-chips"),
                ft.Text(" · ".join(dates), size=16, key=f"{key}-dates"),
                ft.Row(buttons, wrap=True, spacing=8, run_spacing=8, key=f"{key}-actions")
                if buttons
                else None,
                panel,
                _outcome(ui, pros, pid, "list", key),
            ),
            spacing=8,
            key=f"{key}-body",
        ),
    )


def _result_card(ui: Ui, pros: ProfessionalsState, pro: ProfessionalOut, now: datetime) -> ft.Control:
    key = f"result-{pro.id}"
    grant = pros.grant_of(pro.id)
    status = grant_status(grant, now) if grant is not None else None

    def start(_: ft.ControlEvent) -> None:
        pros.start_authorise(pro.id, where="search")
        ui.render()

    pieces: list[ft.Control | None] = [_who(ui, pro, key)]
    if status is not None:
        pieces.append(
            para(
                ui.t("ui.pros.search.in_list", status=ui.t(f"ui.pros.status.{status}")), key=f"{key}-in-list"
            )
        )
    choosing = pros.authorising == pro.id and pros.authorising_where == "search"
    if status not in ("blocked", "authorised") and not choosing:  # the authorised change it in the list
        pieces.append(
            small_button(ui.t("ui.pros.action.authorise"), f"{key}-authorise", start, icon=ft.Icons.ADD)
        )
    if choosing:
        pieces.append(_authorise_panel(ui, pros, pro, f"{key}-panel"))
    pieces.append(_outcome(ui, pros, pro.id, "search", key))
    return ft.Container(
        key=key,
        border=ft.Border.all(1, "#C5CED9"),
        border_radius=12,
        padding=14,
        content=ft.Column(column(*pieces), spacing=8, key=f"{key}-body"),
    )


def _search(ui: Ui, pros: ProfessionalsState, now: datetime) -> list[ft.Control | None]:
    def changed(e: ft.ControlEvent) -> None:
        had_error = pros.query_error is not None
        pros.set_query(e.control.value or "")
        if had_error:
            ui.render()

    async def search(_: ft.ControlEvent) -> None:
        await ui.run(pros, pros.search)

    results: list[ft.Control | None] = []
    if pros.results is not None:
        if not pros.results:
            results.append(para(ui.t("ui.pros.search.none", query=pros.query.strip()), key="search-none"))
        results.extend(_result_card(ui, pros, p, now) for p in pros.results)
    return [
        subtitle(ui.t("ui.pros.search.title"), key="search-title"),
        ft.TextField(
            key="field-pro-query",
            label=ui.t("ui.pros.search.label"),
            value=pros.query,
            helper=ui.t("ui.pros.search.helper"),
            helper_max_lines=3,
            error=ui.err(pros.query_error),
            error_max_lines=3,
            text_size=18,
            label_style=ft.TextStyle(size=17),
            helper_style=ft.TextStyle(size=15),
            error_style=ft.TextStyle(size=15, color=ERROR_FG),
            autocorrect=False,
            read_only=pros.busy,
            on_change=changed,
            on_submit=search,
        ),
        secondary_button(
            ui.t("ui.pros.search.button"), "pro-search", search, busy=pros.busy, icon=ft.Icons.SEARCH
        ),
        *results,
    ]


def build(ui: Ui) -> list[ft.Control]:
    rec = record(ui)
    pros = rec.professionals
    if entering(ui, "professionals"):
        pros.loaded, pros.offline, pros.banner, pros.notice = False, False, None, None
    if not pros.loaded and not pros.offline and pros.banner is None:
        load_in_background(ui, pros, pros.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(pros, pros.load)

    def go(screen: Screen):  # type: ignore[no-untyped-def]
        def handler(_: ft.ControlEvent) -> None:
            ui.state.go(screen)
            ui.render()

        return handler

    now = datetime.now(UTC)
    body: list[ft.Control | None] = []
    if pros.loaded:
        current = pros.attending()
        body += [
            subtitle(ui.t("ui.pros.attending.section"), key="attending-title"),
            para(ui.t("ui.pros.attending.explain"), key="attending-explain"),
            ft.Row(
                [
                    ft.Icon(ft.Icons.STAR if current else ft.Icons.STAR_OUTLINE, color="#8A5A00"),
                    ft.Text(
                        ui.t("ui.pros.attending.current", name=_name(current.professional))
                        if current
                        else ui.t("ui.pros.attending.none"),
                        size=BODY_SIZE,
                        weight=ft.FontWeight.W_600,
                        expand=True,
                    ),
                ],
                key="attending-current",
            ),
            ft.Divider(height=16),
            subtitle(ui.t("ui.pros.list.title"), key="list-title"),
        ]
        if not pros.grants:
            body.append(para(ui.t("ui.pros.list.empty"), key="list-empty"))
        body += [_grant_card(ui, pros, g, now) for g in pros.grants]
        body.append(ft.Divider(height=16))
        body += _search(ui, pros, now)
    return column(
        title(ui.t("ui.pros.title")),
        para(ui.t("ui.pros.intro"), key="pros-intro"),
        status_line(ui, pros, "pros") if pros.acted_on is None else None,
        problem(ui, pros, retry, "pros") if pros.acted_on is None else None,
        *body,
        ft.Divider(height=16),
        subtitle(ui.t("ui.emergency.title"), key="emergency-link-title"),
        para(ui.t("ui.pros.emergency.hint"), key="emergency-link-hint"),
        primary_button(
            ui.t("ui.pros.emergency.link"), "open-emergency", go(Screen.EMERGENCY), icon=ft.Icons.EMERGENCY
        ),
        subtitle(ui.t("ui.sharing.title"), key="sharing-link-title"),
        para(ui.t("ui.sharing.hint"), key="sharing-link-hint"),
        secondary_button(
            ui.t("ui.sharing.open"), "open-sharing", go(Screen.PROFILE_SHARING), icon=ft.Icons.VISIBILITY
        ),
        secondary_button(
            ui.t("ui.alerts.open"), "open-alerts", go(Screen.ALERTS), icon=ft.Icons.NOTIFICATIONS_ACTIVE
        ),
        ft.Container(height=12, key="pros-end"),
    )
