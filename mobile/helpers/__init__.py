"""Helpers (aidants): "Mes aidants", "Les personnes que j'aide", the helped person's band."""
