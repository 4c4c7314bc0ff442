"""'Mon bilan prévention': the four key-age questionnaires (the person's own first), one question at
a time, then the synthesis with the points to talk about and its PDF. Everything works offline."""

from typing import Any, Protocol, cast

import flet as ft

from mobile.questionnaires.state import QuestionnaireState
from mobile.shell.core import SpaceApp
from mobile.shell.panels import chip, offer_file
from mobile.shell.state import Screen, local_error
from mobile.shell.widgets import (
    BODY_SIZE,
    ERROR_FG,
    PRIMARY,
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
from sync.protocol.questionnaires import DONE, Question


class QuestionnaireApp(SpaceApp, Protocol):
    """What these screens use of the app state (the composition root builds it)."""

    questionnaires: QuestionnaireState


def state_of(ui: Ui) -> QuestionnaireState:
    return cast(QuestionnaireApp, ui.state).questionnaires


def words(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts["fr"]


def build_list(ui: Ui) -> list[ft.Control]:
    """The four questionnaires, each saying whether it is started or done."""
    state = state_of(ui)
    lang = ui.state.lang
    mine = state.for_my_age()

    def opener(questionnaire_id: str) -> Any:
        def handler(_: ft.ControlEvent) -> None:
            if state.open(questionnaire_id):
                ui.state.go(Screen.QUESTIONNAIRE)
            ui.render()

        return handler

    tiles = []
    for questionnaire in state.offered():
        status = state.status(questionnaire.id) or "new"
        hint = ui.t(f"ui.questionnaire.status.{status}")
        if questionnaire == mine:
            hint = f"{ui.t('ui.questionnaire.for_you')} · {hint}"
        tiles.append(
            ft.Container(
                key=f"questionnaire-{questionnaire.id}",
                border=ft.Border.all(
                    2 if questionnaire == mine else 1, PRIMARY if questionnaire == mine else "#C5CED9"
                ),
                border_radius=12,
                content=ft.ListTile(
                    leading=ft.Icon(ft.Icons.QUIZ, color=PRIMARY, size=32),
                    title=ft.Text(words(questionnaire.title, lang), size=19, weight=ft.FontWeight.W_600),
                    subtitle=ft.Text(hint, size=15),
                    trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                    min_height=64,
                    on_click=opener(questionnaire.id),
                ),
            )
        )
    return column(
        title(ui.t("ui.questionnaire.title")),
        para(ui.t("ui.questionnaire.intro"), key="questionnaire-intro"),
        *tiles,
    )


def _answer_control(ui: Ui, state: QuestionnaireState, question: Question) -> ft.Control:
    lang = ui.state.lang
    options = [(code, words(text, lang)) for code, text in state.options(question)]
    if question.type == "single":

        def picked(e: ft.ControlEvent) -> None:
            state.choose(e.control.value)
            ui.render()

        return radio_group("answer", str(state.value or ""), options, picked)
    if question.type == "multiple":
        chosen = set(state.value or [])

        def ticker(code: str) -> Any:
            def handler(e: ft.ControlEvent) -> None:
                state.toggle(code, bool(e.control.value))
                ui.render()

            return handler

        return ft.Column(
            [
                ft.Checkbox(
                    key=f"answer-{code}",
                    label=text,
                    value=code in chosen,
                    label_style=ft.TextStyle(size=BODY_SIZE),
                    on_change=ticker(code),
                )
                for code, text in options
            ],
            spacing=4,
            key="answer-list",
        )

    def typed(e: ft.ControlEvent) -> None:
        state.choose(e.control.value or "")

    box = ft.TextField(
        key="answer-text",
        label=ui.t("ui.questionnaire.answer"),
        value=str(state.value or ""),
        text_size=18,
        label_style=ft.TextStyle(size=17),
        on_change=typed,
        keyboard_type=ft.KeyboardType.NUMBER if question.type == "number" else ft.KeyboardType.TEXT,
    )
    if question.type == "text":
        box.multiline, box.min_lines, box.max_lines, box.max_length = True, 3, 8, question.max
    return box


def _question(ui: Ui, state: QuestionnaireState, question: Question) -> list[ft.Control | None]:
    lang = ui.state.lang
    number, total = state.position()
    assert state.current is not None

    def following(_: ft.ControlEvent) -> None:
        state.answer()
        ui.render()

    def previous(_: ft.ControlEvent) -> None:
        state.previous()
        ui.render()

    return [
        ft.Text(
            ui.t("ui.questionnaire.position", number=number, total=total), size=16, key="question-position"
        ),
        subtitle(words(state.current.themes[question.theme], lang), key="question-theme"),
        ft.Text(question.words(lang), size=20, weight=ft.FontWeight.W_600, key="question-text"),
        para(ui.t("ui.questionnaire.optional"), key="question-optional") if question.optional else None,
        _answer_control(ui, state, question),
        ft.Text(ui.err(state.error) or "", color=ERROR_FG, size=BODY_SIZE, key="question-error")
        if state.error
        else None,
        primary_button(
            ui.t("ui.questionnaire.next"), "question-next", following, icon=ft.Icons.ARROW_FORWARD
        ),
        secondary_button(
            ui.t("ui.questionnaire.previous"), "question-previous", previous, icon=ft.Icons.ARROW_BACK
        )
        if number > 1
        else None,
    ]


async def _download(ui: Ui, state: QuestionnaireState) -> None:
    made = state.pdf(ui.state.lang)
    if made is None:
        return
    name, content = made
    if await offer_file(ui.t("ui.questionnaire.pdf"), name, content, "pdf"):
        state.saved = name
    else:
        state.error, state.saved = local_error("ui.questionnaire.pdf.failed"), ""
    ui.render()


def _synthesis(ui: Ui, state: QuestionnaireState) -> list[ft.Control | None]:
    found = state.synthesis(ui.state.lang)
    assert found is not None

    async def pdf(_: ft.ControlEvent) -> None:
        await _download(ui, state)

    def change(_: ft.ControlEvent) -> None:
        state.change_answers()
        ui.render()

    points = found.to_discuss or (ui.t("ui.questionnaire.pdf.discuss.none"),)
    themes: list[ft.Control] = []
    for n, theme in enumerate(found.themes):
        themes.append(subtitle(theme.title, key=f"synthesis-theme-{n}"))
        for m, line in enumerate(theme.lines):
            themes.append(
                ft.Column(
                    [
                        ft.Text(line.question, size=BODY_SIZE, key=f"synthesis-{n}-{m}-q"),
                        ft.Text(
                            line.answer,
                            size=BODY_SIZE,
                            weight=ft.FontWeight.BOLD if line.discuss else ft.FontWeight.W_500,
                            color=ERROR_FG if line.discuss else PRIMARY,
                            key=f"synthesis-{n}-{m}-a",
                        ),
                    ],
                    spacing=2,
                    key=f"synthesis-{n}-{m}",
                )
            )
    return [
        chip(
            ui.t("ui.questionnaire.status.done"),
            "#0B4A2E",
            "#E6F4EA",
            "synthesis-done",
            icon=ft.Icons.CHECK_CIRCLE,
        )
        if state.status(found.questionnaire) == DONE
        else None,
        banner(ui, state.error, key="synthesis-banner"),
        subtitle(ui.t("ui.questionnaire.pdf.discuss"), key="synthesis-discuss"),
        *[
            ft.Text(f"• {point}", size=BODY_SIZE, key=f"synthesis-point-{i}")
            for i, point in enumerate(points)
        ],
        para(ui.t("ui.questionnaire.pdf.audit_c", score=found.audit_c), key="synthesis-audit")
        if found.audit_c is not None
        else None,
        primary_button(ui.t("ui.questionnaire.pdf"), "synthesis-pdf", pdf, icon=ft.Icons.PICTURE_AS_PDF),
        para(ui.t("ui.questionnaire.pdf.saved", name=state.saved), key="synthesis-saved")
        if state.saved
        else None,
        secondary_button(ui.t("ui.questionnaire.change"), "synthesis-change", change, icon=ft.Icons.EDIT),
        *themes,
        para(ui.t("ui.questionnaire.pdf.note"), key="synthesis-note"),
    ]


def build(ui: Ui) -> list[ft.Control]:
    """One questionnaire: the question shown, or the synthesis once every question is answered."""
    state = state_of(ui)
    if state.current is None:
        return build_list(ui)
    lang = ui.state.lang
    body = _question(ui, state, state.question) if state.question is not None else _synthesis(ui, state)
    return column(
        title(words(state.current.title, lang)),
        *body,
    )
