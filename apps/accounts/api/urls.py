from django.urls import path

from apps.accounts.api import views
from apps.accounts.api.audit import AuditEventListView

urlpatterns = [
    path("workspace", views.WorkspaceView.as_view(), name="workspace"),
    path("api-keys", views.ApiKeyListCreateView.as_view(), name="api-keys"),
    path("api-keys/<str:key_id>", views.ApiKeyDetailView.as_view(), name="api-key-detail"),
    path("members", views.MemberListCreateView.as_view(), name="members"),
    path("members/<str:member_id>", views.MemberDetailView.as_view(), name="member-detail"),
    path("audit-events", AuditEventListView.as_view(), name="audit-events"),
]
