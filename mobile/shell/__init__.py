"""What every feature stands on and none owns: the app state's core (screens, language, sign-in,
the device vault, the sync bar), the router and the app bar, common widgets and words. The
shell imports no feature; the composition root (`mobile/main.py`, `mobile/app.py`) wires them."""
