"""The medical profile ("Profil médical"): the hub, the lists (illnesses, treatments, allergies,
vaccinations, family history, notes), emergency and wishes, and the emergency card."""
