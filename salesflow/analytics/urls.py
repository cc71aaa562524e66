"""URLs of the sales-controlling dashboard (mounted under ``controlling/``)."""

from django.urls import path

from salesflow.analytics import views
from salesflow.forecasting import views as forecasting_views

urlpatterns = [
    path("", views.dashboard, name="controlling"),
    path("targets/", views.targets, name="controlling_targets"),
    path("forecast/", forecasting_views.forecast_page, name="controlling_forecast"),
    path("targets/import/", views.targets_import, name="controlling_targets_import"),
    path("calibrate/<slug:key>/", views.calibrate, name="controlling_calibrate"),
    path("panel/<slug:kind>/", views.panel, name="controlling_panel"),
    path("panels/", views.panels, name="controlling_panels"),
    path("report/<slug:kind>/", views.report_page, name="controlling_report"),
    path("report/<slug:kind>.csv", views.report_csv, name="controlling_csv"),
    path("report/<slug:kind>.svg", views.report_chart, {"fmt": "svg"}, name="controlling_svg"),
    path("report/<slug:kind>.png", views.report_chart, {"fmt": "png"}, name="controlling_png"),
]
