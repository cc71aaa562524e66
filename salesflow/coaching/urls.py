"""URLs of the coaching pages (mounted under ``/coaching/``)."""

from django.urls import path

from salesflow.coaching import views

urlpatterns = [
    path("", views.coaching_list, name="coaching"),
    path("actions/<int:action_id>/done/", views.action_done, name="coaching_action_done"),
    path("<str:username>/", views.person_page, name="coaching_person"),
]
