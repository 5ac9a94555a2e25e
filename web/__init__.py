"""What the interfaces share, so that none imports another: list filters, file downloads, throttles,
the client address, sign-in helpers, POST-only views, the language middleware, the health probe.
"""
