"""The ``welfare`` command: one entry point, one module per sub-command."""
