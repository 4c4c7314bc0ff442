"""Marie invites Jean as her helper; Jean accepts in his own tab, switches into Marie's space (her
band on the screen), adds an appointment there; Marie sees it in her agenda and Jean's line in
her access log; she ends the delegation and Jean's tab loses her space."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeout

from backend_stub.demo import nir_for
from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import back, open_tile, sign_in
from tests.browser.test_accounts import PHONE, open_app
from tests.browser.test_activation_login import see, shot, tap, type_into

pytestmark = BROWSER
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def browser_zone() -> str:
    """Marie and Jean live in France: a delegation's days are French calendar days on the server,
    so near midnight a browser on the machine's UTC would be a day behind them."""
    return "Europe/Paris"


async def agenda_shows(page, words: str) -> None:  # type: ignore[no-untyped-def]
    """Open the agenda once a sync brought `words` (a few syncs at most: the loop runs every 5 s)."""
    for _ in range(6):
        await tap(page, "Synchroniser")
        await open_tile(page, "Agenda")
        try:
            await see(page, words, timeout=5_000)
            return
        except Exception:  # noqa: BLE001 (not pulled yet: back home and sync again)
            await back(page)
    await see(page, words)


async def test_invite_accept_switch_add_and_end(stack: Stack, browser_page: Browser) -> None:
    marie = browser_page.page
    stack.activate(801, "Marie", "marie.aidee@example.fr")
    stack.activate(802, "Jean", "jean.aidant@example.fr")
    today = datetime.now(PARIS).date()  # a delegation's days are French calendar days, whatever the hour
    end = (today + timedelta(days=200)).strftime("%d/%m/%Y")

    # Marie: "Mes aidants", the form, the invitation sent.
    await sign_in(marie, stack, "marie.aidee@example.fr", "Marie")
    await open_tile(marie, "Aidants")
    await see(marie, "Mes aidants")
    await see(marie, "Vous n'avez pas encore d'aidant.")
    await tap(marie, "Inviter un aidant")
    await see(marie, "Donner accès à mon profil")
    await type_into(marie, "Nom de l'aidant", "Martin")
    await type_into(marie, "Prénom de l'aidant", "Jean")
    await type_into(marie, "Date de naissance de l'aidant", "01/05/1985")
    await type_into(marie, "Numéro de sécurité sociale de l'aidant", nir_for(802))
    await type_into(marie, "Début de l'accès", today.strftime("%d/%m/%Y"))
    await type_into(marie, "Fin de l'accès", end)
    await marie.get_by_role(
        "checkbox", name="Il peut aussi ajouter des documents, des mesures et des rendez-vous"
    ).click()
    await shot(marie, "helpers-01-invite")
    await tap(marie, "Envoyer l'invitation")
    for _ in range(2):  # a typed date is sometimes lost under a redraw (issue #19 note): type it again
        try:
            await see(marie, "Invitation envoyée à Jean.", timeout=10_000)
            break
        except PlaywrightTimeout:
            await type_into(marie, "Début de l'accès", today.strftime("%d/%m/%Y"))
            await type_into(marie, "Fin de l'accès", end)
            await tap(marie, "Envoyer l'invitation")
    await see(marie, "Invitation envoyée à Jean.")
    await see(marie, "Invitation envoyée, à accepter avant le")
    await shot(marie, "helpers-02-invited")

    # Jean, in a second browser: he accepts, then switches into Marie's space.
    other = await marie.context.browser.new_context(**PHONE, timezone_id="Europe/Paris")
    try:
        jean = await open_app(other, stack, browser_page.errors)
        await sign_in(jean, stack, "jean.aidant@example.fr", "Jean")
        await open_tile(jean, "Aidants")
        await tap(jean, "Les personnes que j'aide")
        await see(jean, "Marie Martin")
        await tap(jean, "Accepter d'aider Marie")
        await see(jean, "Vous aidez désormais Marie")
        await shot(jean, "helpers-03-accepted")
        await tap(jean, "Espace de Marie")
        band = f"Vous êtes dans l'espace de Marie, que vous aidez jusqu'au {end}."
        await jean.get_by_label(band, exact=False).first.wait_for(state="visible")
        await see(jean, "Espace de Marie")
        await shot(jean, "helpers-04-helped-home")

        # An appointment in HER agenda.
        start = today + timedelta(days=10)
        await open_tile(jean, "Agenda")
        await tap(jean, "Ajouter un rendez-vous")
        await type_into(jean, "Date (JJ/MM/AAAA)", start.strftime("%d/%m/%Y"))
        await type_into(jean, "Heure (HH:MM)", "10:30")
        await type_into(jean, "Professionnel de santé", "Dr Alex Durand")
        await type_into(jean, "Motif", "Cardiologue")
        await tap(jean, "Enregistrer le rendez-vous")
        await see(jean, "Rendez-vous ajouté.")
        await tap(jean, "Synchroniser")
        await see(jean, "À jour")
        await shot(jean, "helpers-05-appointment")

        # Marie sees it, and Jean's line in her access log, and the notice of his acceptance.
        await back(marie)
        await see(marie, "Bonjour Marie")
        await agenda_shows(marie, "avec Dr Alex Durand")
        await shot(marie, "helpers-06-marie-agenda")
        await back(marie)
        await open_tile(marie, "Historique des accès")
        await see(marie, "Jean Martin")
        await see(marie, "A ajouté des informations à votre espace")
        await see(marie, "Mode d'accès : aidant, pour le compte de la personne")
        await shot(marie, "helpers-07-marie-log")

        # Marie ends it; Jean's tab loses her space at its next sync.
        await back(marie)
        await open_tile(marie, "Aidants")
        await tap(marie, "Mettre fin à l'accès de Jean")
        await see(marie, "C'est terminé : l'accès avec Jean a pris fin.")
        await see(marie, "Vous n'avez pas encore d'aidant.")
        await tap(jean, "Synchroniser")
        await see(jean, "L'accès à cet espace a pris fin")
        await see(jean, "Bonjour Jean")
        assert await jean.get_by_label("Vous êtes dans l'espace de Marie", exact=False).count() == 0
        await shot(jean, "helpers-08-lost")
    finally:
        await other.close()
    assert not [e for e in browser_page.errors if "rive" not in e.lower()], browser_page.errors
