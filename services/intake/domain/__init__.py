"""Intake's domain: survey answers and their k-anonymous aggregation. No I/O here."""
