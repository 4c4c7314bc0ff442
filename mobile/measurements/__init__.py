"""Measurements ("Mes mesures"): readings per kind with their chart, adding one, importing a CSV
file."""
