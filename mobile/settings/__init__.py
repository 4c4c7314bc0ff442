"""Settings ("Paramètres"): closing the space (and reopening it at the next login), the way to the
export."""
