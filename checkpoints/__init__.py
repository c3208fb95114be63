"""Infrastructure: the embedded Postgres and the LangGraph Postgres checkpointer."""
