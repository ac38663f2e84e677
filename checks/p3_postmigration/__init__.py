"""Gate checks of the postmigration phase (one concern per module)."""
