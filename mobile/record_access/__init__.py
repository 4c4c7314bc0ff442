"""Who reaches the shared record: "Mes professionnels de santé" (authorise, revoke, block, the
attending physician, the emergency switches), "Historique des accès" and the notifications."""
