"""yibao's rules: pure computation (no files, clock, database or network)."""
