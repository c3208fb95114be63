"""The planners: the Plan they speak and the deterministic rules planner (zh + en)."""
