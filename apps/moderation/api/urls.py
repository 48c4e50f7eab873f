from django.urls import path

from apps.moderation.api import views

urlpatterns = [
    path("moderation/cases", views.ModerationCaseListView.as_view(), name="moderation-cases"),
    path(
        "moderation/cases/<str:case_id>",
        views.ModerationCaseDetailView.as_view(),
        name="moderation-case-detail",
    ),
    path(
        "moderation/cases/<str:case_id>/claim",
        views.ModerationCaseClaimView.as_view(),
        name="moderation-case-claim",
    ),
    path(
        "moderation/cases/<str:case_id>/approve",
        views.ModerationCaseApproveView.as_view(),
        name="moderation-case-approve",
    ),
    path(
        "moderation/cases/<str:case_id>/reject",
        views.ModerationCaseRejectView.as_view(),
        name="moderation-case-reject",
    ),
    path("moderation/stats", views.ModerationStatsView.as_view(), name="moderation-stats"),
    path("moderation/appeals", views.ModerationAppealView.as_view(), name="moderation-appeals"),
]
