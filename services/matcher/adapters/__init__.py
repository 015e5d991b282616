"""The matcher's storage and machinery: its tables, the book, snapshots, stored rounds
and what the read API reads of them, consumer lag, the optimiser's worker processes.
"""
