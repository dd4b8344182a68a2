"""Analytics as pure functions, one module per family: influence, brokerage, communities, expertise, health, seeding.

Each takes a NetworkX graph (or the array graph of :mod:`graph.analytics.backend`, or plain rows) and returns plain
data; none imports a store or a driver.
"""

__all__ = ["backend", "brokerage", "communities", "expertise", "health", "influence", "seeding"]
