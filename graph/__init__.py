"""The helpdesk graph: factory, state, context, services and the turn runner."""
