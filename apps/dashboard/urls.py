from django.contrib.auth.views import LogoutView
from django.urls import path

from apps.dashboard import audit, operations, studio, usage, views, workspace

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.EmailLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("workspace/switch/", views.switch_workspace, name="switch-workspace"),
    path("api-keys/", views.api_keys, name="api-keys"),
    path("api-keys/<str:key_id>/revoke/", views.api_key_revoke, name="api-key-revoke"),
    path("usage/", usage.usage, name="usage"),
    path("api-keys/<str:key_id>/edit/", views.api_key_edit, name="api-key-edit"),
    path("members/", views.members, name="members"),
    path("members/<str:member_id>/role/", views.member_change, name="member-change"),
    path("members/<str:member_id>/remove/", views.member_remove, name="member-remove"),
    path("audit/", audit.audit_log, name="audit-log"),
    path("workspace/", workspace.workspace_settings, name="workspace"),
    path("workspace/export/", workspace.workspace_export, name="workspace-export"),
    path("workspace/close/", workspace.workspace_close, name="workspace-close"),
    path("workspace/reopen/", workspace.workspace_reopen, name="workspace-reopen"),
    path("studio/", studio.studio, name="studio"),
    path("studio/jobs/", studio.studio_jobs, name="studio-jobs"),
    path("jobs/<str:job_id>/", studio.job_detail, name="job-detail"),
    path("jobs/<str:job_id>/download/", studio.job_download, name="job-download"),
    path("jobs/<str:job_id>/cancel/", studio.job_cancel, name="job-cancel"),
    path("jobs/<str:job_id>/save/", studio.job_save, name="job-save"),
    path("operations/", operations.operations, name="operations"),
    path("operations/sweep/", operations.operations_sweep, name="operations-sweep"),
]
