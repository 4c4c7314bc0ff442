"""Share links ("Partager des documents"): documents shared with anyone through a link and a code,
and stopping a link."""
