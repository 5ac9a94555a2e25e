from django.urls import path

from . import calendar

urlpatterns = [
    path("calendar/add-working-days", calendar.CalendarAddWorkingDaysApi.as_view(),
         name="calendar-add-working-days"),
    path("calendar/working-days", calendar.CalendarWorkingDaysApi.as_view(),
         name="calendar-working-days"),
]
