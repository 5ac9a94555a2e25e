"""The staff admin (``/admin/``): the case list and case page with the action buttons, reference data
(calendar, policy packs, routes, users), notices and alerts, the notice preview.
"""
