"""The graph: stores, the projection to NetworkX, analytics (pure functions) and the jobs that run them."""
