"""A person's rights over their health data ("Mes droits", issue #18): the requests to correct what
a professional wrote, the choice about research, complaints to the authority, and where each EHDS
right is served in the app."""
