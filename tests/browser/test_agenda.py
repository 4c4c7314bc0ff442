"""The holder adds an appointment, sees its reminder in the bell, exports the agenda, checks the
prevention reminders for their age, marks one done, and cancels the appointment."""

import re
from datetime import date, datetime, timedelta

from sync.protocol.prevention import last_birthday
from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import open_tile, sign_in
from tests.browser.test_activation_login import see, shot, tap, type_into

pytestmark = BROWSER


def bell(page, unread: int):  # type: ignore[no-untyped-def]
    return page.get_by_role("button", name=re.compile(rf"^Notifications : {unread} non lue"))


async def test_appointment_reminder_in_the_bell_and_checkups(stack: Stack, browser_page: Browser) -> None:
    page = browser_page.page
    email = "lea.agenda@example.fr"
    stack.activate(651, "Léa", email)  # born 1 May 1985, a man's number: 41 years old
    await sign_in(page, stack, email, "Léa")
    # One prevention reminder is due at 41 (the dTP booster, nothing recorded): the bell says so.
    await bell(page, 1).wait_for(state="visible", timeout=30_000)

    await open_tile(page, "Agenda")
    await see(page, "Mon agenda santé")
    await see(page, "Aucun rendez-vous à venir.")
    await shot(page, "agenda-01-empty")

    # In two hours, reminded one day before: the reminder is due at once.
    start = datetime.now() + timedelta(hours=2)
    day, hour = start.strftime("%d/%m/%Y"), start.strftime("%H:%M")
    await tap(page, "Ajouter un rendez-vous")
    await see(page, "Nouveau rendez-vous")
    await tap(page, "Enregistrer le rendez-vous")  # empty: each field says what is missing
    await see(page, "Indiquez la date du rendez-vous.")
    await see(page, "Indiquez le professionnel ou le motif du rendez-vous.")
    await type_into(page, "Date (JJ/MM/AAAA)", day)
    await type_into(page, "Heure (HH:MM)", hour)
    await type_into(page, "Professionnel de santé", "Dr Alex Durand")
    await type_into(page, "Motif", "Consultation de suivi")
    await type_into(page, "Lieu", "Cabinet, 3 rue de la Paix, Lyon")
    await page.get_by_role("radio", name="1 jour avant").click()
    await shot(page, "agenda-02-form")
    await tap(page, "Enregistrer le rendez-vous")
    await see(page, "Rendez-vous ajouté.")
    await see(page, f"{day} à {hour}")
    await see(page, "avec Dr Alex Durand")
    await see(page, "Rappel : 1 jour avant")
    await shot(page, "agenda-03-list")

    # The reminder is in the bell, with the check-up reminder, both computed on this device.
    await bell(page, 2).wait_for(state="visible", timeout=30_000)
    await bell(page, 2).click()
    await see(page, "Rappels de votre agenda (calculés sur cet appareil)")
    await see(page, f"Rappel : rendez-vous avec Dr Alex Durand le {day} à {hour}")
    await see(page, "À faire : Rappel diphtérie-tétanos-poliomyélite (dTP)")
    await shot(page, "agenda-04-bell")
    await page.get_by_text("Rappel : rendez-vous avec Dr Alex Durand", exact=False).first.click()
    await see(page, "Mon agenda santé")  # the notice opens the agenda, and counts as read
    await bell(page, 1).wait_for(state="visible", timeout=20_000)

    # The whole agenda as an iCalendar file, downloaded by the browser.
    async with page.expect_download() as got:
        await tap(page, "Exporter tout l'agenda (.ics)")
    download = await got.value
    assert download.suggested_filename == "agenda-sante.ics"
    content = (await download.path()).read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in content and "Consultation de suivi" in content
    await see(page, "Le fichier agenda-sante.ics est prêt")

    # The prevention reminders for a 41-year-old man, each with its reason.
    await open_tile(page, "Mes rappels de prévention")
    await see(page, "Rappel diphtérie-tétanos-poliomyélite (dTP)")
    await see(page, "Pourquoi ? Rappels de l'adulte contre la diphtérie")
    # Due since his 25th birthday, long ago: dated from his latest birthday, not from 2010.
    since = last_birthday(date(1985, 5, 1), date.today()).strftime("%d/%m/%Y")
    await see(page, f"Recommandé depuis le {since}")
    assert await page.get_by_text("Dépistage du cancer du sein", exact=False).count() == 0
    await shot(page, "agenda-05-checkups")
    await tap(page, "C'est fait")
    await see(page, "Quand était-ce ?")
    await see(page, "Le vaccin sera aussi ajouté à votre profil médical.")
    await tap(page, "Enregistrer")
    await see(page, "C'est noté. Le prochain rappel a été recalculé.")
    await see(page, "Fait récemment")
    await see(page, "Prochain : à partir du 01/05/2050")  # at 65: 45 is too close to this one
    await shot(page, "agenda-06-checkup-done")

    # Cancelling asks first, then keeps the appointment marked as cancelled.
    await page.get_by_label("Retour", exact=True).first.click()
    await see(page, "Mon agenda santé")
    await tap(page, "Annuler le rendez-vous")
    await see(page, "Annuler ce rendez-vous ?")
    await tap(page, "Oui, annuler")
    await see(page, "Rendez-vous annulé.")
    await see(page, "Annulé")
    await shot(page, "agenda-07-cancelled")
    assert not [e for e in browser_page.errors if "rive" not in e.lower()], browser_page.errors
