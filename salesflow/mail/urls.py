from django.urls import path

from salesflow.mail import views

urlpatterns = [
    path("", views.mail_preferences, name="mail_preferences"),
]
