from apps.core.errors import ApplicationError, ErrorCode


class EndpointLimitReached(ApplicationError):
    code = ErrorCode.CONFLICT
    status = 409

    def __init__(self, *, limit: int) -> None:
        super().__init__(
            f"Your plan allows at most {limit} webhook endpoints; delete one to add another.",
            details={"limit": limit},
        )
