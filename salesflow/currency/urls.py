"""URLs of the exchange-rates page (mounted under ``currency/``)."""

from django.urls import path

from salesflow.currency import views

urlpatterns = [
    path("rates/", views.rates, name="currency_rates"),
    path("rates/import/", views.rates_import, name="currency_rates_import"),
]
