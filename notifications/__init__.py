"""Alerts: the deadline sweep, recipients, digests and case e-mails, the outbox, the Celery tasks.
"""
