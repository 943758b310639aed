"""Staff accounts: users and roles, revocable tokens, login throttling, the audit log's reader."""
