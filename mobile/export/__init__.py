"""Everything the space holds as files ("Exporter toutes mes données"): the FHIR file and the PDF
summary, and the import of an export into an empty space."""
