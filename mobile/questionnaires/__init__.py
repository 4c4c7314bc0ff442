"""'Mon bilan prévention': the key-age questionnaires (18-25, 45-50, 60-65, 70-75) answered on
the device, even offline, one question at a time, and their synthesis (on screen and as a PDF)."""
