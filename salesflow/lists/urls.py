"""URLs of saved filters, list exports and the audit-trail browser."""

from django.urls import path

from salesflow.lists import views

urlpatterns = [
    path("lists/filters/", views.save_filter, name="saved_filter_save"),
    path("lists/filters/<int:filter_id>/delete/", views.delete_filter, name="saved_filter_delete"),
    path("records/export/", views.record_list_export, name="record_list_export"),
    path("accounts/export/", views.account_list_export, name="account_list_export"),
    path("audit-trail/", views.audit_trail, name="audit_trail"),
    path("audit-trail/export/", views.audit_trail_export, name="audit_trail_export"),
]
