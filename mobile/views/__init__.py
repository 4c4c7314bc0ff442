"""One module per screen; each exposes `build(ui) -> list[Control]` and only renders state."""
