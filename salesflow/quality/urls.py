"""URLs of checklists and assessments (mounted under ``/quality/``)."""

from django.urls import path

from salesflow.quality import views

urlpatterns = [
    path("", views.checklist_list, name="checklists"),
    path("checklists/<slug:key>/assess/", views.assess, name="assess"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path("records/<int:record_id>/actions-to-tasks/", views.actions_to_tasks, name="actions_to_tasks"),
    path("assessments/<int:assessment_id>/evidence/<int:evidence_id>/", views.evidence_download,
         name="assessment_evidence"),
]
