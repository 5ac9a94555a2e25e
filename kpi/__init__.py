"""The dashboard's figures: stage tables, case figures, trends, workload, urgent stages, exports and
``kpi_report``, read from the models.
"""
