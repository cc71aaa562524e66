"""URLs of the risk and opportunity register (mounted under ``/risks/``)."""

from django.urls import path

from salesflow.risks import views

urlpatterns = [path("", views.register, name="risks")]
