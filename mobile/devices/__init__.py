"""Connected devices ("Paramètres" > "Appareils connectés"): each device or browser signed in to the
space with its name, platform, first and last use, and "Déconnecter cet appareil"; and the name and
platform this device gives itself at login."""
