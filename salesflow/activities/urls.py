"""URLs of the activity log's web forms and the contact page."""

from django.urls import path

from salesflow.activities import views

urlpatterns = [
    path("activities/log/", views.log_activity, name="activity_log"),
    path("activities/tasks/", views.add_task, name="task_add"),
    path("activities/tasks/<int:task_id>/done/", views.complete_task, name="task_done"),
    path("activities/import/", views.import_file, name="activity_import"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact"),
]
