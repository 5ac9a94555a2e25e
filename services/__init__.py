"""Every domain write: the workflow commands (lock, version check, permission, transition, log,
on-commit), documents, notices, drafts, accounts, the calendar loader, the service guide, and what the
interfaces may offer (``actions``).
"""
