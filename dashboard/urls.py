from django.urls import path

from . import views

app_name = "kpi"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("offices/", views.offices, name="offices"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export-csv"),
]
