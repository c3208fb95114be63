"""Below the nodes: the turn's state, its typed contract, the run context and the services."""
