"""Pure functions of the domain rules: no database, no clock of their own (time is a parameter)."""
