"""Bulk onboarding: a network's firms, providers, demand lines and offers from spreadsheets.

``sheets`` finds the sheets of a workbook (one per kind) or of a directory (a
file per kind) and reads them with the upload readers of
services/common/spreadsheets, so a cell means here what it means in an upload;
``kinds`` gives the two kinds uploads have no sheet for (firms, providers) and
the bulk forms of lines and offers (a column naming the firm or the provider,
since one sheet holds the whole network's); ``plan`` compares what the sheets
say with what intake and supply hold, read through their HTTP APIs with the
operator's token, and applies the difference with their idempotent PUTs.

Everything is read and checked before the first PUT, so that a bad cell loads
nothing; the services' own idempotence (an unchanged PUT writes no event)
makes a second run harmless even if the comparison missed something.
"""
