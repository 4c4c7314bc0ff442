"""The holder connects the example scale (examples/connected_scale.py, a real subprocess): the
scale prints the address, the browser opens it, the holder unlocks and approves; the scale sends a
weight that reaches the measurements after sync; the holder revokes; the next push is refused."""

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import BROWSER, ROOT, Browser, Stack
from tests.browser.test_access_log import back, cli, open_tile
from tests.browser.test_activation_login import log_in, see, set_pin, settled, shot, tap

pytestmark = BROWSER

APP_NAME = "Balance connectée (exemple)"


def register_scale(stack: Stack) -> None:
    done = cli(
        stack,
        "backend_stub",
        "apps",
        "add",
        "balance-exemple",
        "--name",
        APP_NAME,
        "--publisher",
        "Projet Mon espace santé",
        "--category",
        "wellness",
        "--scope",
        "measurements.read",
        "--scope",
        "measurements.write",
        "--redirect-uri",
        "http://127.0.0.1/callback",
        "--description-fr",
        "Envoie votre poids dans votre profil médical après chaque pesée.",
        "--description-en",
        "Sends your weight to your medical profile after each weighing.",
    )
    assert done.returncode == 0, done.stdout + done.stderr


class Scale:
    """The scale's process and what it printed so far."""

    def __init__(self, stack: Stack, token_file: Path, *args: str) -> None:
        command = [sys.executable, "examples/connected_scale.py", *args]
        command += ["--api", stack.api_url, "--token-file", str(token_file), "--timeout", "180"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, start: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines if line.startswith(start)]
            if found:
                return found[0]
            if self.process.poll() is not None and not any(line.startswith(start) for line in self.lines):
                time.sleep(0.2)  # the reader may still be draining the pipe
                if not any(line.startswith(start) for line in self.lines):
                    raise AssertionError("\n".join(self.lines))
            time.sleep(0.1)
        raise AssertionError(f"no {start!r} line:\n" + "\n".join(self.lines))

    def finish(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout=timeout)
        self.stop()
        return code

    def stop(self) -> None:
        """End the process if it still runs (a failed test) and close its pipe."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.reader.join(timeout=5)
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def scales() -> Iterator[list[Scale]]:
    """The scale processes of a test, stopped whatever happens."""
    found: list[Scale] = []
    yield found
    for scale in found:
        scale.stop()


async def test_connect_the_scale_see_its_weight_then_revoke(
    stack: Stack, browser_page: Browser, tmp_path: Path, scales: list[Scale]
) -> None:
    page = browser_page.page
    email = "lea.balance@example.fr"
    stack.activate(531, "Léa", email)
    register_scale(stack)
    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Léa")

    # The catalogue: the scale, its category and what it would ask, in plain words.
    await open_tile(page, "Catalogue de services")
    await see(page, "Applications référencées")
    await see(page, APP_NAME)
    await see(page, "Ajouter des mesures à votre profil")
    await see(page, "Aucune application n'est connectée à votre espace.")
    await shot(page, "catalogue-01-browse")

    # The scale asks for access: it prints the address the person opens in their browser.
    token_file = tmp_path / "scale-token.json"
    scale = Scale(stack, token_file, "connect", "--weight", "72.4")
    scales.append(scale)
    url = scale.wait_line("AUTHORIZE ").removeprefix("AUTHORIZE ")
    assert "code_challenge_method=S256" in url
    await page.goto(url)  # the server checks it and sends the browser to the app with an opaque id
    assert "consent=" in page.url and "scope" not in page.url and "code_challenge" not in page.url
    await page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    await page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
    # Flet keeps this tab's session across the load: signed in with the vault open, the consent
    # screen shows at once (a new tab would ask to unlock first; tests/mobile checks that path).
    await see(page, "Une application demande l'accès")
    await see(page, APP_NAME)
    await see(page, "Lire vos mesures de poids")
    await page.get_by_role("radio", name="Mon espace (Léa Martin)").wait_for()
    await page.get_by_role("button", name="Autoriser", exact=True).wait_for()
    await settled(page)  # the reload's "Working..." veil has faded
    await shot(page, "catalogue-02-consent")
    await page.get_by_role("radio", name="1 an").click()
    await tap(page, "Autoriser")

    # The app opens the way back to the scale, which gets its token and sends the weight.
    assert scale.finish() == 0, "\n".join(scale.lines)
    assert "SENT 72.4 kg" in scale.lines, scale.lines
    if not page.url.startswith(stack.app_url):  # the way back opened in this tab
        await page.go_back()
    await see(page, "est connectée à votre espace")
    await shot(page, "catalogue-03-approved")

    # My connected apps: what it may do and when it last used the data.
    await tap(page, "Voir mes applications connectées")
    await see(page, "Mes applications connectées")
    await see(page, "Dernière utilisation de vos données")
    await see(page, "Accès autorisé jusqu'au")
    await shot(page, "catalogue-04-connected")

    # After sync, the reading is among the measurements, read-only, named after the scale.
    await back(page)
    await see(page, "Bonjour Léa")
    await see(page, "À jour · dernière synchronisation", timeout=40_000)
    await open_tile(page, "Profil médical")
    await open_tile(page, "Mes mesures")
    await see(page, "72,4 kg", timeout=40_000)
    await open_tile(page, "Poids")
    await see(page, f"Ajoutée par {APP_NAME} : lecture seule")
    await shot(page, "catalogue-05-measurement")

    # Revoke: the scale's next push is refused at once.
    for _ in range(3):
        await back(page)
    await see(page, "Bonjour Léa")
    await open_tile(page, "Catalogue de services")
    await tap(page, f"Révoquer {APP_NAME}")
    await see(page, f"Retirer l'accès de {APP_NAME} ?")
    await page.get_by_role("button", name="Révoquer", exact=True).click()
    await see(page, f"C'est fait : {APP_NAME} n'a plus accès à votre espace.")
    await see(page, "Accès retiré")
    await shot(page, "catalogue-06-revoked")
    again = Scale(stack, token_file, "push", "--weight", "71.9")
    scales.append(again)
    assert again.finish() == 3, again.lines
    assert any(
        line.startswith("REFUSED 71.9 kg: Access refused: the person revoked it") for line in again.lines
    )

    # The access log names the app like a professional.
    await back(page)
    await open_tile(page, "Historique des accès")
    await see(page, APP_NAME)
    await see(page, "Application connectée")
    await see(page, "A ajouté « Mesures »")
    await shot(page, "catalogue-07-access-log")

    # Another browser, not signed in: the request waits through login and the new unlock code,
    # then the consent screen shows; "Refuser" tells the scale, which gets no token.
    other = await page.context.browser.new_context(viewport={"width": 412, "height": 860}, locale="fr-FR")
    try:
        tab = await other.new_page()
        refusing = Scale(stack, tmp_path / "refused-token.json", "connect", "--weight", "70")
        scales.append(refusing)
        await tab.goto(refusing.wait_line("AUTHORIZE ").removeprefix("AUTHORIZE "))
        await tab.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
        await tab.evaluate("document.querySelector('flt-semantics-placeholder').click()")
        await log_in(tab, stack, email)
        await set_pin(tab)
        await see(tab, "Une application demande l'accès")
        await tap(tab, "Refuser")
        assert refusing.finish() != 0
        assert any("refused the connection (access_denied)" in line for line in refusing.lines), (
            refusing.lines
        )
        if not tab.url.startswith(stack.app_url):
            await tab.go_back()
        await see(tab, f"C'est noté : {APP_NAME} n'a pas accès à votre espace.")
        await shot(tab, "catalogue-08-refused-after-login")
    finally:
        await other.close()
    assert not [e for e in browser_page.errors if "rive" not in e.lower()], browser_page.errors
