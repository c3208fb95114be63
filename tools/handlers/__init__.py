"""Business handlers: one business line each, run inside the caller's transaction."""
