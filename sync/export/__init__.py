"""The space as files, made and read on the device: a FHIR R4 Bundle (and its import into an empty
space), a PDF summary with the small text-PDF writer it needs, and the PDF synthesis of a key-age
questionnaire."""
