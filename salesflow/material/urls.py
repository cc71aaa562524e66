"""URLs of the material catalogue (mounted under ``/material/``)."""

from django.urls import path

from salesflow.material import views

urlpatterns = [
    path("", views.catalogue, name="material"),
]
