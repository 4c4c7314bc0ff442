"""Administrative data ("Données administratives": what the insurer holds, corrections asked)
and reimbursements ("Mes remboursements")."""
