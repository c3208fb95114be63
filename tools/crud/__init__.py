"""CRUD: keyword-only functions that read and write rows and decide nothing."""
