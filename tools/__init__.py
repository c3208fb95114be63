"""Everything below the graph: settings, domain, CRUD, handlers, planners, KB, LLM."""
