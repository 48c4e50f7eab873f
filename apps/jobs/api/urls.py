from django.urls import path

from apps.jobs.api import usage, views, workspace

# The status poll first: it is the API's most frequent request.
urlpatterns = [
    path("tasks/<str:job_id>", views.TaskDetailView.as_view(), name="task-detail"),
    path("generate", views.GenerateView.as_view(), name="generate"),
    path("process", views.ProcessView.as_view(), name="process"),
    path("usage", usage.UsageView.as_view(), name="usage"),
    path("workspace/export", workspace.WorkspaceExportStartView.as_view(), name="workspace-export"),
    path(
        "workspace/exports/<str:export_id>",
        workspace.WorkspaceExportDetailView.as_view(),
        name="workspace-export-detail",
    ),
    path("workspace/close", workspace.WorkspaceCloseView.as_view(), name="workspace-close"),
    path("workspace/reopen", workspace.WorkspaceReopenView.as_view(), name="workspace-reopen"),
    path("tasks", views.TaskListView.as_view(), name="tasks"),
    path("anonymous/tasks/<str:token>", views.AnonymousTaskView.as_view(), name="anonymous-task"),
    path("tasks/<str:job_id>/result", views.TaskResultView.as_view(), name="task-result"),
    path(
        "tasks/<str:job_id>/last-frame",
        views.TaskLastFrameView.as_view(),
        name="task-last-frame",
    ),
]
