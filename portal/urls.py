from django.urls import path

from . import lookup, notices, product_data, verify, views
from .figures import officer_dashboard

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("guide/", views.guide, name="guide"),
    path("lookup/", lookup.lookup, name="lookup"),  # public, no login
    path("verify/", verify.verify, name="verify"),  # public, no login (docs/notices.md)
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application-submit"),
    path("applications/<int:pk>/edit/", views.intent_edit, name="intent-edit"),
    path("applications/<int:pk>/product-data/", product_data.product_data_edit, name="product-data"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/requests/<int:stop_id>/", views.supplement, name="supplement"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("notices/<int:pk>/", notices.portal_download, name="notice"),  # docs/notices.md#official-notices-文书
    path("intents/new/", views.intent_create, name="intent-create"),
    path("api-token/", views.api_token, name="api-token"),
    path("dashboard/", officer_dashboard, name="dashboard"),  # Industry officers' figures
]
