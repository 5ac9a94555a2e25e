"""Pure date arithmetic: the working-day calendar, the official schedules, deadlines and levels
(``sla``). No ORM: functions of dates and a calendar, with ``today`` passed in.
"""
