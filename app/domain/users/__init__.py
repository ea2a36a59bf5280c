"""Accounts (issue 15): listing, reading, disabling and enabling users, and their external identities."""
