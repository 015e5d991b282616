"""The reference provider consumer: what a cooperative's system does with awards."""
