"""URLs of the web interface.

Names are not namespaced (``login``, ``logout``, ``home`` …) so that Django's own conventions for
the auth views keep working.
"""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.i18n import set_language

from salesflow.web.views import (
    account,
    accounts,
    actions,
    board,
    documents,
    health,
    links,
    mywork,
    notifications,
    processes,
    records,
    review,
    users,
)

urlpatterns = [
    path("", mywork.my_work, name="home"),
    path("my-work/activities/", mywork.my_activities, name="my_activities"),
    path("healthz", health.healthz, name="healthz"),
    path("board/", board.board, name="board"),
    path("records/", records.record_list, name="records"),
    path("records/new/", records.record_create, name="record_create"),
    path("records/duplicates/", records.record_duplicates, name="record_duplicates"),
    path("records/<int:record_id>/", records.record_detail, name="record"),
    path("records/<int:record_id>/move/confirm/", links.move_confirm, name="record_move_confirm"),
    path("records/<int:record_id>/links/", links.link, name="record_link"),
    path("records/<int:record_id>/links/remove/", links.unlink, name="record_unlink"),
    path("records/<int:record_id>/documents/", documents.upload, name="record_document_upload"),
    path("records/<int:record_id>/documents/<int:document_id>/", documents.download, name="record_document"),
    path("notifications/read/", notifications.mark_read, name="notifications_read"),
    path("records/<int:record_id>/move/", actions.move, name="record_move"),
    path("records/<int:record_id>/activity/", actions.complete_activity, name="record_activity"),
    path("records/<int:record_id>/consult/", actions.consult, name="record_consult"),
    path("records/<int:record_id>/consult/answer/", actions.answer_consultation, name="record_consult_answer"),
    path("records/<int:record_id>/decide/", actions.decide, name="record_decide"),
    path("records/<int:record_id>/approve/", actions.approve, name="record_approve"),
    path("records/<int:record_id>/approval/request/", actions.request_approval, name="record_request_approval"),
    path("records/<int:record_id>/approval/refuse/", actions.refuse_approval, name="record_refuse_approval"),
    path("records/<int:record_id>/decision/request/", actions.request_decision, name="record_request_decision"),
    path("records/<int:record_id>/fields/", actions.set_fields, name="record_fields"),
    path("records/<int:record_id>/probability/", actions.set_probability, name="record_probability"),
    path("records/<int:record_id>/delegate/", actions.delegate, name="record_delegate"),
    path("records/<int:record_id>/members/", actions.set_members, name="record_members"),
    path("accounts/", accounts.account_list, name="customers"),
    path("accounts/segmentation/", accounts.account_segmentation, name="customer_segmentation"),
    path("accounts/<int:account_id>/", accounts.account_detail, name="customer"),
    path("accounts/<int:account_id>/plans/new/", accounts.account_plan_create, name="customer_plan_create"),
    path("processes/", processes.process_list, name="processes"),
    path("processes/<slug:key>/", processes.process_detail, name="process"),
    path("review/access/", review.access_review, name="access_review"),
    path("review/access.csv", review.access_review_csv, name="access_review_csv"),
    path("users/", users.user_list, name="users"),
    path("users/<str:username>/", users.user_detail, name="user_detail"),
    path("users/<str:username>/deactivate/", users.user_deactivate, name="user_deactivate"),
    path("users/<str:username>/reactivate/", users.user_reactivate, name="user_reactivate"),
    path("users/<str:username>/password/", users.user_password, name="user_password"),
    path("users/<str:username>/roles/revoke/", users.user_revoke_role, name="user_revoke_role"),
    path("account/", account.account, name="account"),
    path("account/password/", account.PasswordChangeView.as_view(), name="password_change"),
    path("account/tokens/", account.token_create, name="token_create"),
    path("account/tokens/<int:token_id>/revoke/", account.token_revoke, name="token_revoke"),
    path("i18n/language/", set_language, name="set_language"),
    path("accounts/login/", account.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
