"""Plumbing every service shares: settings, the broker, the database."""
