"""Choosing files on the device, with their bytes (a browser gives no paths).

The browser's file dialog tells nothing when it is cancelled, so Flutter's picker guesses: with
`cancel_upload_on_window_blur` it takes the window's focus coming back without a chosen file
within half a second as a cancel. On a busy phone or browser the files arrive later than that,
and the person's choice was silently lost (seen in CI); a real cancel just leaves the screen as
it was, so the guess is turned off.
"""

from collections.abc import Sequence

import flet as ft

__all__ = ["choose_files"]


async def choose_files(
    title: str, extensions: Sequence[str], multiple: bool = False
) -> list[ft.FilePickerFile]:
    """The files the person chose (with their bytes), in order, or none."""
    picker = ft.FilePicker()  # registers itself with this page; kept alive by this call
    return await picker.pick_files(
        dialog_title=title,
        file_type=ft.FilePickerFileType.CUSTOM,
        allowed_extensions=list(extensions),
        allow_multiple=multiple,
        with_data=True,
        cancel_upload_on_window_blur=False,
    )
