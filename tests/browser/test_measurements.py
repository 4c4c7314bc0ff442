"""A person keeps their measurements: two weights and a blood pressure, the chart and the list,
an impossible and an unusual value, then a CSV file with a bad line."""

from datetime import datetime, timedelta
from pathlib import Path

from tests.browser.conftest import BROWSER, Browser, Stack
from tests.browser.test_access_log import back
from tests.browser.test_activation_login import log_in, see, set_pin, settled, shot, tap, type_into

pytestmark = BROWSER


async def open_card(page, name: str) -> None:
    await page.get_by_role("button", name=name).first.click()


async def test_weights_blood_pressure_chart_list_and_csv(
    stack: Stack, browser_page: Browser, tmp_path: Path
) -> None:
    page = browser_page.page
    email = "paul.mesures@example.fr"
    stack.activate(521, "Paul", email)
    await log_in(page, stack, email)
    await set_pin(page)
    await see(page, "Bonjour Paul")

    # Home -> medical profile (the hub) -> measurements.
    await open_card(page, "Profil médical")
    await open_card(page, "Mes mesures")
    await see(page, "Touchez une mesure pour voir sa courbe")
    await see(page, "Ajoutez votre poids et votre taille pour voir votre IMC")
    await shot(page, "measurements-01-kinds-empty")

    # Weight: an impossible value is refused, then two readings (two days ago, and now).
    await open_card(page, "Poids")
    await see(page, "Toutes les mesures (0)")
    await tap(page, "Ajouter une mesure")
    await see(page, "Nouvelle mesure : Poids")
    await type_into(page, "Valeur en kg", "1000")
    await tap(page, "Enregistrer la mesure")
    await see(page, "Cette valeur est impossible : elle doit être comprise entre 0,3 et 400 kg")
    await shot(page, "measurements-02-impossible")
    await type_into(page, "Valeur en kg", "72,5")
    earlier = datetime.now() - timedelta(days=2)
    await type_into(page, "Date de la mesure", earlier.strftime("%d/%m/%Y"))
    await type_into(page, "Heure de la mesure", "08:00")
    await tap(page, "Enregistrer la mesure")
    await see(page, "Mesure enregistrée.")
    await see(page, "Toutes les mesures (1)")
    await tap(page, "Ajouter une mesure")
    await type_into(page, "Valeur en kg", "71")
    await tap(page, "Enregistrer la mesure")  # now, by default
    await see(page, "Toutes les mesures (2)")
    await see(page, "2 mesures sur le dernier mois, de 72,5 kg le ")
    await see(page, "à 71 kg le ")
    await see(page, "Ajoutée par vous")
    await see(page, "Graphique. 2 mesures sur le dernier mois")  # what a screen reader says of the chart
    await settled(page)  # the chart's animation has ended
    await shot(page, "measurements-chart")
    await tap(page, "English")
    await see(page, "2 readings over the last month, from 72.5 kg on ")
    await see(page, "All readings (2)")
    await tap(page, "Français")
    await tap(page, "Jour")
    await see(page, "1 mesure sur les dernières 24 heures : 71 kg le ")
    await tap(page, "Année")
    await see(page, "2 mesures sur la dernière année")
    await tap(page, "Mois")
    await see(page, "2 mesures sur le dernier mois")

    # Blood pressure: an unusual value asks first; "Annuler" keeps what was typed.
    await back(page)
    await see(page, "71 kg")
    await open_card(page, "Tension artérielle")
    await tap(page, "Ajouter une mesure")
    await type_into(page, "Systolique, le grand chiffre, en mmHg", "220")
    await type_into(page, "Diastolique, le petit chiffre, en mmHg", "110")
    await tap(page, "Enregistrer la mesure")
    await see(page, "220/110 mmHg est une valeur inhabituelle. Confirmez-vous qu'elle est juste ?")
    await shot(page, "measurements-03-unusual")
    await tap(page, "Annuler")
    await type_into(page, "Systolique, le grand chiffre, en mmHg", "130")
    await type_into(page, "Diastolique, le petit chiffre, en mmHg", "85")
    await tap(page, "Enregistrer la mesure")
    await see(page, "Mesure enregistrée.")
    await see(page, "130/85 mmHg")
    await see(page, "1 mesure sur le dernier mois : 130/85 mmHg le ")
    await see(page, "Systolique")
    await shot(page, "measurements-04-blood-pressure")

    # A CSV file: the height gives the BMI; the bad line is reported with its number.
    csv_path = tmp_path / "mesures.csv"
    day = (datetime.now() - timedelta(days=3)).strftime("%d/%m/%Y")
    csv_path.write_text(
        f"date;type;valeur\n{day} 09:00;Taille;175\n{day} 09:00;Poids;1000\n", encoding="utf-8"
    )
    await back(page)
    async with page.expect_file_chooser() as chooser:
        await tap(page, "Importer un fichier CSV")
    await (await chooser.value).set_files(str(csv_path))
    await see(page, "mesures.csv : 1 mesure importée, 0 déjà présente, 1 ligne refusée.")
    await see(page, "Ligne 3 : Cette valeur est impossible")
    await see(page, "IMC (indice de masse corporelle) : 23,2")
    await shot(page, "measurements-05-import")
    await back(page)
    await see(page, "Mes mesures")  # the hub's tile: the way back leads to the medical profile
    assert not browser_page.errors, browser_page.errors
