"""Writes of the moderation queue: opening and joining cases, claims, decisions, appeals,
and the gallery hooks (publishing screening, user reports).

A job's fate after a decision is the jobs app's business: `case_decide` sends
`signals.case_decided` inside its transaction and apps/jobs resumes or rejects the job.
Assets sit below moderation, so decisions on them call gallery's services directly."""

import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts import audit
from apps.accounts.models import AuditAction, User, Workspace
from apps.core.errors import Conflict, ValidationError
from apps.gallery.models import Asset, AssetReport, ModerationState, ReportState, Visibility
from apps.gallery.services import asset_moderate
from apps.moderation.models import (
    ActionKind,
    CaseOrigin,
    CaseState,
    Decision,
    ModerationAction,
    ModerationCase,
    SubjectType,
)
from apps.moderation.screening import ScreeningResult, Verdict, screen
from apps.moderation.signals import case_decided

logger = logging.getLogger(__name__)

# Categories whose cases jump the queue.
URGENT_CATEGORIES = {"sexual_minors", "self_harm", "self_harm_intent", "self_harm_instructions"}
ASSET_SUBJECTS = (SubjectType.ASSET, SubjectType.REPORT)


def _verdict_of(verdict: Any) -> Verdict:
    """A Verdict from whatever jobs passes on: a ScreeningResult, a Verdict or a string."""
    if isinstance(verdict, ScreeningResult):
        return verdict.verdict
    if isinstance(verdict, Verdict):
        return verdict
    return Verdict(decision=str(verdict or Decision.REVIEW))


def _priority(categories: list[str], report_count: int = 0) -> int:
    urgent = 5 if URGENT_CATEGORIES & set(categories) else 0
    return urgent + min(report_count, 5)


def _log(
    case: ModerationCase, action: str, actor: User | None = None, message: str = "", **data: Any
) -> None:
    ModerationAction.objects.create(
        case=case, actor=actor, action=action, message=message[:2000], data=data
    )


def _open_or_join(
    *,
    workspace: Workspace,
    subject_type: str,
    subject_id: str,
    origin: str,
    verdict: Verdict | None = None,
    snapshot_text: str = "",
    media_key: str = "",
    media_kind: str = "",
    reports: int = 0,
) -> tuple[ModerationCase, bool]:
    """The open case for this subject, updated, or a new one. Returns (case, created)."""
    verdict = verdict or Verdict(decision=Decision.REVIEW)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                case = (
                    ModerationCase.objects.select_for_update()
                    .filter(subject_id=subject_id, state=CaseState.OPEN)
                    .first()
                )
                if case is not None:
                    case.categories = list(dict.fromkeys([*case.categories, *verdict.categories]))
                    case.scores = {**case.scores, **verdict.scores}
                    case.report_count += reports
                    case.priority = max(
                        case.priority, _priority(case.categories, case.report_count)
                    )
                    if snapshot_text:
                        case.snapshot_text = snapshot_text
                    if media_key:
                        case.media_key, case.media_kind = media_key, media_kind
                    case.save()
                    if not reports:
                        _log(case, ActionKind.JOIN, origin=origin, categories=verdict.categories)
                    return case, False
                case = ModerationCase.objects.create(
                    workspace=workspace,
                    subject_type=subject_type,
                    subject_id=subject_id,
                    origin=origin,
                    snapshot_text=snapshot_text,
                    media_key=media_key,
                    media_kind=media_kind,
                    backend=verdict.backend,
                    categories=verdict.categories,
                    scores=verdict.scores,
                    report_count=reports,
                    priority=_priority(verdict.categories, reports),
                    opened_at=timezone.now(),
                )
                _log(case, ActionKind.OPEN, origin=origin, categories=verdict.categories)
                return case, True
        except IntegrityError:
            continue  # another writer opened the case first: join it
    raise RuntimeError(f"could not open a case for {subject_id}")


# --- jobs (called by apps/jobs, which may import moderation) ----------------------------


def case_open_for_job(
    *, workspace: Workspace, job_public_id: str, prompt: str, verdict: Any
) -> ModerationCase:
    """A case for a job that screening sent to review. jobs calls it right after saving
    the job, inside the submit transaction."""
    case, _ = _open_or_join(
        workspace=workspace,
        subject_type=SubjectType.JOB,
        subject_id=job_public_id,
        origin=CaseOrigin.SCREENING,
        verdict=_verdict_of(verdict),
        snapshot_text=prompt,
    )
    return case


def case_open_for_provider_block(
    *, workspace: Workspace, job_public_id: str, prompt: str, message: str = ""
) -> ModerationCase:
    """A record of a job the provider refused on content grounds (it has already failed
    and its credits are back): staff see what providers refuse and tune the lists."""
    verdict = Verdict(decision=Decision.REVIEW, categories=["provider_refusal"], backend="provider")
    case, _ = _open_or_join(
        workspace=workspace,
        subject_type=SubjectType.JOB,
        subject_id=job_public_id,
        origin=CaseOrigin.PROVIDER,
        verdict=verdict,
        snapshot_text=prompt,
    )
    if message:
        _log(case, ActionKind.JOIN, message=f"Provider: {message}")
    return case


# --- gallery hooks (connected in apps.py) ----------------------------------------------


def _asset_text(asset: Asset) -> str:
    return asset.public_text()


def _asset_media(asset: Asset) -> tuple[str, str]:
    return asset.storage_key, asset.kind


def asset_screen_for_publishing(*, asset: Asset) -> str:
    """Screens an asset made public, or whose public text (title, tags, prompt) changed
    while public. allow -> approved (unless a case on it is open); review -> pending and a
    case; block -> rejected, with a case decided by the system that the owner may appeal.
    Returns the decision."""
    if asset.visibility != Visibility.PUBLIC:
        return Decision.ALLOW
    if asset.moderation_state == ModerationState.REJECTED:
        return Decision.BLOCK  # rejected stays rejected; the owner may appeal
    verdict = screen(text=_asset_text(asset))
    open_case = ModerationCase.objects.filter(subject_id=asset.public_id, state=CaseState.OPEN)
    if verdict.decision == Decision.ALLOW and not open_case.exists():
        asset_moderate(asset=asset, state=ModerationState.APPROVED)
        return Decision.ALLOW
    media_key, media_kind = _asset_media(asset)
    with transaction.atomic():
        case, _ = _open_or_join(
            workspace=asset.workspace,
            subject_type=SubjectType.ASSET,
            subject_id=asset.public_id,
            origin=CaseOrigin.VISIBILITY,
            verdict=verdict,
            snapshot_text=_asset_text(asset),
            media_key=media_key,
            media_kind=media_kind,
        )
        if verdict.decision == Decision.BLOCK:
            reason = f"Refused by the content policy (category: {verdict.top_category})."
            _decide_locked(case, actor=None, approve=False, reason=reason, asset=asset)
        else:
            asset_moderate(asset=asset, state=ModerationState.PENDING)
    return verdict.decision


def report_received(*, report: AssetReport) -> ModerationCase:
    """A user's report opens a case on the asset or joins the open one; at
    MODERATION_REPORT_THRESHOLD reports the asset leaves the public feed until decided."""
    asset = report.asset
    media_key, media_kind = _asset_media(asset)
    with transaction.atomic():
        case, _ = _open_or_join(
            workspace=asset.workspace,
            subject_type=SubjectType.REPORT,
            subject_id=asset.public_id,
            origin=CaseOrigin.REPORT,
            snapshot_text=_asset_text(asset),
            media_key=media_key,
            media_kind=media_kind,
            reports=1,
        )
        _log(case, ActionKind.REPORT, report.reporter, report.reason, report=report.public_id)
        threshold = int(settings.MODERATION_REPORT_THRESHOLD)
        if case.report_count >= threshold and asset.moderation_state != ModerationState.PENDING:
            asset_moderate(asset=asset, state=ModerationState.PENDING)
            _log(
                case,
                ActionKind.HIDE,
                message=f"{case.report_count} reports",
                reports=case.report_count,
            )
    return case


# --- staff actions ------------------------------------------------------------------------


def _lock(case: ModerationCase) -> ModerationCase:
    return ModerationCase.objects.select_for_update().get(pk=case.pk)


def case_claim(*, case: ModerationCase, user: User) -> ModerationCase:
    """Assigns an open case to the staff member (409 if closed or someone else has it)."""
    with transaction.atomic():
        case = _lock(case)
        if case.state != CaseState.OPEN:
            raise Conflict(f"The case is {case.state}; there is nothing to claim.")
        if case.assignee_id and case.assignee_id != user.pk:
            raise Conflict(
                "Another moderator has claimed this case.",
                details={"assignee": case.assignee.email if case.assignee else None},
            )
        if case.assignee_id != user.pk:
            case.assignee = user
            case.save(update_fields=["assignee", "updated_at"])
            _log(case, ActionKind.CLAIM, user)
    return case


def _apply_to_asset(case: ModerationCase, approve: bool, asset: Asset | None = None) -> None:
    asset = asset or Asset.objects.filter(public_id=case.subject_id).first()
    if asset is None:
        return  # deleted meanwhile: the decision stands on its own
    asset_moderate(
        asset=asset, state=ModerationState.APPROVED if approve else ModerationState.REJECTED
    )
    # Report rows are gallery's, but they are only ever closed from here.
    AssetReport.objects.filter(asset=asset, state=ReportState.OPEN).update(
        state=ReportState.DISMISSED if approve else ReportState.RESOLVED,
        updated_at=timezone.now(),
    )


def _decide_locked(
    case: ModerationCase,
    *,
    actor: User | None,
    approve: bool,
    reason: str,
    asset: Asset | None = None,
) -> ModerationCase:
    state = CaseState.APPROVED if approve else CaseState.REJECTED
    case.state = state
    case.decision = state
    case.reason = reason
    case.decided_by = actor
    case.decided_at = timezone.now()
    case.save()
    _log(case, ActionKind.APPROVE if approve else ActionKind.REJECT, actor, reason)
    audit.record(
        action=AuditAction.MODERATION_DECIDED,
        workspace=case.workspace,
        target=case,
        actor_user=actor,
        actor_label="" if actor is not None else "automatic screening",
        details={
            "decision": state,
            "reason": reason,
            "subject_type": case.subject_type,
            "subject_id": case.subject_id,
        },
    )
    if case.subject_type in ASSET_SUBJECTS:
        _apply_to_asset(case, approve, asset)
    case_decided.send(
        sender=ModerationCase,
        subject_type=case.subject_type,
        subject_id=case.subject_id,
        approved=approve,
        reason=reason,
    )
    return case


def case_decide(
    *, case: ModerationCase, user: User | None, approve: bool, reason: str = ""
) -> ModerationCase:
    """Approves or rejects an open case (409 if it is not open). A rejection needs a
    reason: the owner sees it."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError(
            "Say why the content is rejected; the owner sees the reason.",
            details={"fields": {"reason": ["Required to reject."]}},
        )
    with transaction.atomic():
        case = _lock(case)
        if case.state != CaseState.OPEN:
            raise Conflict(
                f"The case has already been decided ({case.state}).",
                details={"state": case.state},
            )
        if not reason:
            reason = "Approved by moderation."
        return _decide_locked(case, actor=user, approve=approve, reason=reason)


def case_appeal(*, case: ModerationCase, user: User | None, message: str) -> ModerationCase:
    """The owner's one appeal of a rejection: the case goes back into the queue (409 if
    it was not rejected or was appealed before)."""
    message = (message or "").strip()
    if not message:
        raise ValidationError(
            "Say why the decision should change.",
            details={"fields": {"message": ["Required."]}},
        )
    with transaction.atomic():
        case = _lock(case)
        if case.appealed_at is not None:
            raise Conflict("This decision has already been appealed; an appeal is allowed once.")
        if case.state != CaseState.REJECTED:
            raise Conflict(
                f"Only a rejection can be appealed; this case is {case.state}.",
                details={"state": case.state},
            )
        if ModerationCase.objects.filter(subject_id=case.subject_id, state=CaseState.OPEN).exists():
            raise Conflict("This content already has an open case in the queue.")
        now = timezone.now()
        case.state = CaseState.OPEN
        case.appeal_message = message[:4000]
        case.appealed_at = now
        case.opened_at = now
        case.assignee = None
        case.priority = max(case.priority, 1)
        case.save()
        _log(case, ActionKind.APPEAL, user, message)
        audit.record(
            action=AuditAction.MODERATION_APPEALED,
            workspace=case.workspace,
            target=case,
            actor_user=user,
            details={
                "message": case.appeal_message,
                "subject_type": case.subject_type,
                "subject_id": case.subject_id,
            },
        )
    return case
