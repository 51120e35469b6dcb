"""PostgreSQL database engine of the project (settings.DATABASES ENGINE): Django's, see `base`."""
