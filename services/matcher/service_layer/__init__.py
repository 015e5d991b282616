"""What the matcher does: apply incoming events to its book, run and commit rounds,
take providers' answers, say where a running round is.
"""
