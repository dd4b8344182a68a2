"""The service: FastAPI + Strawberry GraphQL over a GraphStore, and the ``whoknows`` command line."""
