"""What the operator does: queue a round's command (start, commit) in its outbox.
"""
