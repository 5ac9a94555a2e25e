"""The staff performance dashboard (``/dashboard/``) and its Excel and CSV downloads.
"""
