"""The portal (``/portal/``) for enterprises and industry officers: my applications, a case's timeline,
supplement answers, intents, the service guide, the public look-up, the officers' figures.
"""
