"""The ground floor: models (cases, stages, clocks, the transition log, calendar, policy packs, routes,
organisation), the reads every room shares (scoping, case pages, the one status model in
``deadlines``, next steps, worklists, route planning), permissions and the error family.
"""
