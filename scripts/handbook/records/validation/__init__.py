"""Reading, normalising and validating a clerk's file (the rules themselves are in records/rules/)."""
