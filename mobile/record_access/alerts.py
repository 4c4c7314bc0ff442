"""'Mes alertes': how the holder is told of accesses to their record, per channel (in the app,
e-mail, SMS): each professional's first access only, or every access; e-mail and SMS may be off.
Emergency accesses are always told. Each choice is saved at once (it needs the server)."""

import flet as ft

from mobile.record_access.common import entering, record
from mobile.record_access.state import AlertsState
from mobile.shell.panels import load_in_background, problem, status_line
from mobile.shell.widgets import BODY_SIZE, Ui, column, para, radio_group, subtitle, title
from sync.protocol.alerts import CHANNELS


def _channel(ui: Ui, alerts: AlertsState, channel: str) -> ft.Control:
    assert alerts.settings is not None

    async def changed(e: ft.ControlEvent) -> None:
        value = str(e.control.value or "")
        await ui.run(alerts, lambda: alerts.set(channel, value))

    options = [(c, ui.t(f"ui.alerts.choice.{c}")) for c in alerts.choices(channel)]
    no_phone = channel == "sms" and not getattr(ui.state.me, "phone", "")
    return ft.Semantics(
        key=f"alerts-{channel}-sem",
        label=ui.t(f"ui.alerts.channel.{channel}"),
        container=True,
        content=ft.Column(
            column(
                subtitle(ui.t(f"ui.alerts.channel.{channel}"), key=f"alerts-{channel}-title"),
                radio_group(f"alerts-{channel}", str(getattr(alerts.settings, channel)), options, changed),
                para(ui.t("ui.alerts.no_phone"), key="alerts-no-phone") if no_phone else None,
            ),
            spacing=4,
            key=f"alerts-{channel}",
        ),
    )


def build(ui: Ui) -> list[ft.Control]:
    alerts = record(ui).alerts
    if entering(ui, "alerts"):
        alerts.loaded, alerts.offline, alerts.banner, alerts.notice = False, False, None, None
    if not alerts.loaded and not alerts.offline and alerts.banner is None:
        load_in_background(ui, alerts, alerts.load)

    async def retry(_: ft.ControlEvent) -> None:
        await ui.run(alerts, alerts.load)

    channels = [_channel(ui, alerts, c) for c in CHANNELS] if alerts.settings is not None else []
    return column(
        title(ui.t("ui.alerts.title")),
        para(ui.t("ui.alerts.intro"), key="alerts-intro"),
        status_line(ui, alerts, "alerts"),
        problem(ui, alerts, retry, "alerts"),
        *channels,
        ft.Text(
            ui.t("ui.alerts.emergency"), size=BODY_SIZE, weight=ft.FontWeight.W_600, key="alerts-emergency"
        )
        if channels
        else None,
    )
