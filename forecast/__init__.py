"""Completion forecasts from the office's own history (docs/forecast.md): the pure estimation
(Kaplan–Meier with censoring, conditioning on days used, Monte Carlo on the working-day calendar),
the history read as of a day, the refreshed distributions, the backtest and the supervisors'
workload forecast.
"""
