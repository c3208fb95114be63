"""Database: engine, ORM models, migrations, identifiers."""
