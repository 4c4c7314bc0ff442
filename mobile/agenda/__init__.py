"""The health agenda ("Agenda"): appointments and their reminders, the iCalendar export, and the
prevention reminders (check-ups, screenings, vaccinations) with the notices they give on this device."""
