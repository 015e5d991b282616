"""Supply's domain: an offer's life as versions. No I/O here."""
