"""Export formats fed by the letter model: CMIF (correspSearch) and JSON metadata."""
