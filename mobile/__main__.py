"""`python -m mobile`: serve the app (web mode by default), configured by ENS_APP_* variables."""

import os
import tempfile
from pathlib import Path

import flet as ft

from mobile.main import api_url, main
from mobile.shell.zone import web_assets
from sync.protocol.i18n import DEFAULT_LANGUAGE


def run() -> None:
    host = os.environ.get("ENS_APP_HOST", "127.0.0.1")
    port = int(os.environ.get("ENS_APP_PORT", "8550"))
    desktop = os.environ.get("ENS_APP_VIEW", "web").lower() == "desktop"
    view = ft.AppView.FLET_APP if desktop else ft.AppView.WEB_BROWSER
    if not desktop:
        print(f"Mon espace santé: http://{host}:{port} (API {api_url()})", flush=True)  # noqa: T201
    with tempfile.TemporaryDirectory(prefix="ens-web-") as folder:  # the page that tells the zone
        assets = web_assets(Path(folder), DEFAULT_LANGUAGE)
        ft.run(main, view=view, host=host, port=port, no_cdn=True, assets_dir=str(assets))


if __name__ == "__main__":
    run()
