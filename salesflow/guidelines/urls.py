"""URLs of the guideline pages (included at ``/guidelines/`` by the root URL configuration)."""

from django.urls import path

from salesflow.guidelines import editor_views, migrate_views, views

urlpatterns = [
    path("", views.guideline_index, name="guidelines"),
    path("propose/", views.guideline_propose, name="guideline_propose"),
    path("propose/validate", editor_views.validate_view, name="guideline_validate"),
    path("propose/preview", editor_views.preview_view, name="guideline_preview"),
    path("training/", views.training_view, name="guideline_training"),
    path("audit-pack/", views.audit_pack_view, name="audit_pack"),
    path("audit-pack/<str:job>/", views.audit_pack_job, name="audit_pack_job"),
    path("audit-pack/<str:job>/zip", views.audit_pack_download, name="audit_pack_download"),
    path("map/", views.process_map_view, name="process_map"),
    path("map/svg/", views.process_map_svg, name="process_map_svg"),
    path("<slug:key>/", views.guideline_detail, name="guideline"),
    path("<slug:key>/history/", views.guideline_history, name="guideline_history"),
    path("<slug:key>/diff/", views.guideline_diff, name="guideline_diff"),
    path("<slug:key>/migrate/", migrate_views.migrate_view, name="guideline_migrate"),
    path("<slug:key>/v<int:number>/", views.guideline_detail, name="guideline_version"),
    path("<slug:key>/v<int:number>/yaml/", editor_views.source_download, name="guideline_source"),
    path("<slug:key>/v<int:number>/<str:fmt>/", views.guideline_download, name="guideline_download"),
    path("<slug:key>/v<int:number>/submit", views.version_submit, name="guideline_submit"),
    path("<slug:key>/v<int:number>/approve", views.version_approve, name="guideline_approve"),
    path("<slug:key>/v<int:number>/return", views.version_return, name="guideline_return"),
    path("<slug:key>/v<int:number>/retire", views.process_retire, name="guideline_retire"),
    path("<slug:key>/v<int:number>/acknowledge", views.version_acknowledge, name="guideline_acknowledge"),
]
