"""Natural-language understanding of the rules planner: the labelled corpus, the trained models, typos."""
