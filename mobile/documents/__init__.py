"""The shared record's documents on this device ("Documents"): list and filters, adding a file,
reading it, masking it from professionals, deleting one's own."""
