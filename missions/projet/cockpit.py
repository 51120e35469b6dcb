def register() -> None:
    """Registers the cockpit panels (filled in below)."""
