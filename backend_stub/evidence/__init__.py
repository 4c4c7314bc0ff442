"""The access logs' evidence kept outside the database: the link keys and the signed checkpoints
of the logs' heads. The access log itself is written by `services/audit.py`; the context
(`context.py`) builds this and attaches it to the engine."""
