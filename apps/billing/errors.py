from typing import Any

from apps.core.errors import ApplicationError, ErrorCode


class InsufficientCredits(ApplicationError):
    code = ErrorCode.INSUFFICIENT_CREDITS
    status = 402
    default_message = "Not enough credits."

    def __init__(self, *, required: int, available: int, debt: int = 0) -> None:
        details: dict[str, Any] = {
            "required": required,
            "available": available,
            "shortfall": max(0, required - available) + debt,
        }
        if debt:
            details["debt"] = debt
            message = (
                f"This workspace owes {debt} credits after a payment was refunded; "
                "buy credits to settle the debt before starting jobs."
            )
        else:
            message = (
                f"Not enough credits: this needs {required}, {available} available "
                f"(short by {required - available}). Buy credits on the billing page."
            )
        super().__init__(message, details=details)


class PaymentsDisabled(ApplicationError):
    code = ErrorCode.CONFLICT
    status = 409
    default_message = (
        "Card payments are off on this server (no Stripe keys are configured); "
        "ask Reelsmith staff to grant credits."
    )


class PaymentProviderError(ApplicationError):
    code = ErrorCode.INTERNAL_ERROR
    status = 502
    retryable = True
    default_message = "Stripe could not be reached; try again in a moment."


class WebhookRejected(ApplicationError):
    code = ErrorCode.VALIDATION_ERROR
    status = 400
    default_message = "Invalid Stripe signature."


class WebhookHandlerFailed(ApplicationError):
    status = 500
    retryable = True
    default_message = "The event could not be processed; Stripe will retry it."
