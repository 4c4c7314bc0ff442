"""Secure messaging ("Messagerie"): conversations with professionals, replies with attachments, a
new conversation."""
