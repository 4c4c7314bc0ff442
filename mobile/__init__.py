"""The Flet app of Mon espace santé: screens over the `sync` account client."""
