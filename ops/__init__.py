"""The operators' commands (``manage.py seed_demo``, ``load_calendar``, ``reproject_cases``,
``generate_load``, ``verify_log``, ...): entry points beside the interfaces, calling the services.
"""
