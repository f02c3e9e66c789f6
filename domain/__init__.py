"""Tsunagu's domain: household cases, consent, meetings and the access rules.

Pure model and use cases. Nothing here imports FastAPI, Kafka or psycopg.
"""
