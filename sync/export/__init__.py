"""The space as files, made and read on the device: a FHIR R4 Bundle (and its import into an empty
space) and a PDF summary with the small text-PDF writer it needs."""
