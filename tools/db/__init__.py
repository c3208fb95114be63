"""Database: the connection pool, migrations, identifiers."""
