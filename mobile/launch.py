"""A tab's device side: the ids kept in the browser, the sync loop, and the tab's end.

The device id (and the last holder's id) live in the browser through Flet's SharedPreferences
(localStorage in web mode), so the same browser is the same device across reloads. The sync
loop is one asyncio task per tab on the page's loop: one sync at a time, after unlock, after
each local write (`kick`) and every `SYNC_EVERY` seconds while the vault is open.
"""

import asyncio
import contextlib
import os
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import flet as ft

from mobile.app import VaultAppState
from mobile.shell.zone import LANG_KEY, ZONE_KEY, zone_named
from sync.emergency_card import key_from_text
from sync.protocol.i18n import LANGUAGES

DEVICE_KEY = "ens.device_id"
HOLDER_KEY = "ens.holder_id"
CARD_KEY = "ens.card_key"  # the emergency card's key: never in the device folder (sync/emergency_card.py)
SYNC_EVERY = float(os.environ.get("ENS_SYNC_EVERY", "30"))


def devices_root() -> Path:
    """Where this app keeps the vaults (one folder per holder and device)."""
    return Path(os.environ.get("ENS_DEVICE_DIR", "data/devices"))


class SyncLoop:
    """The tab's background sync; stops when the vault locks or the tab goes away."""

    def __init__(self, page: ft.Page, state: VaultAppState, render: Callable[[], None]) -> None:
        self.page, self.state, self.render = page, state, render
        self._task: Future[Any] | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drawn: object = None
        self._draw_pending = False

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = self.page.run_task(self._run)

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def kick(self) -> None:
        """Sync soon (callable from any thread)."""
        self._drawn = None  # the screen drawn since shows the change waiting: redraw once it is sent
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def changed(self) -> None:
        """Something the bar shows moved (upload progress): redraw, at most one queued at a time."""
        if self._loop is None or self._draw_pending:
            return
        self._draw_pending = True
        self._loop.call_soon_threadsafe(self._redraw)

    def _redraw(self) -> None:
        self._draw_pending = False
        with contextlib.suppress(Exception):  # the tab went away meanwhile
            self.render()

    def _draw_if_changed(self) -> None:
        """Redraw when what the bar says changed; not for the time of the last sync alone, so a
        periodic sync does not redraw the screen under the person's fingers every 30 s."""
        line = self.state.sync_bar.line()
        seen = (line.kind, line.key, line.pending, line.uploads) if line else None
        if seen != self._drawn:
            self._drawn = seen
            self._redraw()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        bar = self.state.sync_bar
        try:
            while self.state.vault.unlocked:
                self._wake.clear()
                if bar.asked:  # the person pressed "Synchroniser": show that it runs
                    bar.running = True
                    self._draw_if_changed()
                await asyncio.to_thread(bar.sync)
                if self.state.signed_out_elsewhere():  # back to the login screen, the vault locked
                    self._redraw()
                    return
                await asyncio.to_thread(self.state.sync_children)  # the other open children's spaces
                bar.asked = False
                self._draw_if_changed()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), SYNC_EVERY)
        finally:
            bar.running = False


async def _load_ids(
    page: ft.Page, state: VaultAppState, prefs: ft.SharedPreferences, render: Callable[[], None]
) -> None:
    device_id = holder_id = None
    with contextlib.suppress(Exception):  # no storage: a new device id for this session
        device_id = await prefs.get(DEVICE_KEY)
        holder_id = await prefs.get(HOLDER_KEY)
        state.profile.card_key = key_from_text(await prefs.get(CARD_KEY))
        if page.web:  # the app server's zone is not the person's: the page told the browser's
            state.set_zone(zone_named(await prefs.get(ZONE_KEY)))
        if (lang := await prefs.get(LANG_KEY)) in LANGUAGES and lang != state.lang:
            state.toggle_language()  # the language chosen at the last visit
    device = state.launched(device_id, holder_id)
    if device != device_id:
        with contextlib.suppress(Exception):
            await prefs.set(DEVICE_KEY, device)
    render()


def attach(page: ft.Page, state: VaultAppState, render: Callable[[], None]) -> SyncLoop:
    """Wire the tab: browser storage, the sync loop and the tab's lifecycle."""
    prefs = ft.SharedPreferences()
    loop = SyncLoop(page, state, render)
    state.sync_bar.kick = loop.kick
    state.sync_bar.on_progress = loop.changed
    state.on_unlocked = loop.start
    state.on_locked = loop.stop

    async def remember_ids(device_id: str, holder_id: str) -> None:
        with contextlib.suppress(Exception):
            await prefs.set(DEVICE_KEY, device_id)
            await prefs.set(HOLDER_KEY, holder_id)

    def remember(device_id: str, holder_id: str) -> None:
        page.run_task(remember_ids, device_id, holder_id)

    state.vault.remember = remember

    async def remember_language(lang: str) -> None:
        with contextlib.suppress(Exception):
            await prefs.set(LANG_KEY, lang)

    state.on_language = lambda lang: page.run_task(remember_language, lang)

    async def remember_card_key(key: str | None) -> None:
        with contextlib.suppress(Exception):
            await (prefs.set(CARD_KEY, key) if key else prefs.remove(CARD_KEY))

    state.profile.remember_card_key = lambda key: page.run_task(remember_card_key, key)

    def connected(_: ft.ControlEvent) -> None:
        if state.vault.unlocked:
            loop.start()

    def disconnected(_: ft.ControlEvent) -> None:
        loop.stop()

    def closed(_: ft.ControlEvent) -> None:
        state.tab_closed()

    page.on_connect = connected
    page.on_disconnect = disconnected
    page.on_close = closed
    page.data = {"prefs": prefs, "sync_loop": loop}  # keep the services referenced for the session
    page.run_task(_load_ids, page, state, prefs, render)
    return loop
