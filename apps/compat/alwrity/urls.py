from django.urls import path

from apps.compat.alwrity import views

P = "api/video-studio/"
urlpatterns = [
    path(P + "generate", views.AlwrityGenerateView.as_view(), name="alwrity-generate"),
    path(P + "process", views.AlwrityProcessView.as_view(), name="alwrity-process"),
    path(
        P + "estimate-cost", views.AlwrityEstimateCostView.as_view(), name="alwrity-estimate-cost"
    ),
    path(
        P + "tasks/<str:task_id>/status",
        views.AlwrityTaskStatusView.as_view(),
        name="alwrity-task-status",
    ),
    path(
        P + "tasks/<str:task_id>/result",
        views.AlwrityTaskResultView.as_view(),
        name="alwrity-task-result",
    ),
    path(P + "tasks/<str:task_id>", views.AlwrityTaskView.as_view(), name="alwrity-task"),
    path(P + "webhooks", views.AlwrityWebhooksView.as_view(), name="alwrity-webhooks"),
]
