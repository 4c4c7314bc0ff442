"""Device side of the health space: the client the app calls, and the shared wire protocol."""
