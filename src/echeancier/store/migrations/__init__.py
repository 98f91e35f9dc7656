"""Alembic migrations of the account store (script_location `echeancier.store:migrations`)."""
