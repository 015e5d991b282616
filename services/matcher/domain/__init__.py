"""The matcher's rules that need no database: what a round result tells providers
(awards, amendments, withdrawals), deterministic ids, a round's summary.
"""
