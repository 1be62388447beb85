"""Intake: what comes in. The plan request's typed models, its loading with every error named,
the travel sources a request from outside may name, and order imports from the sales
platforms. Nothing here plans, sources or tracks."""
