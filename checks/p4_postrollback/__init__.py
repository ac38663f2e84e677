"""Gate checks of the post-rollback phase (one concern per module)."""
