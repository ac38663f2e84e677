"""Gate checks of the freeze phase (one concern per module)."""
