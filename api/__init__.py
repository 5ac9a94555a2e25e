"""The REST API (``/api/v1/``): applications, stages, timeline, supplements, intents, actions, notices,
look-up, service guide, calendar; one error handler; the OpenAPI schema.
"""
