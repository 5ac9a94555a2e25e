"""Official notices: their content and PDF layout, stored and immutable once issued.
"""
