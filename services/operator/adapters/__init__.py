"""The operator's outbox table, the matcher's read API as the operator reads it, and
the files it writes (contracts as CSV and XLSX, the report and statements as PDF).
"""
