"""The health-space server: enforces every rule, keeps the data, sends letters and codes."""
