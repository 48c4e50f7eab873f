"""Reelsmith's Python client: ``from reelsmith import Reelsmith, VideoGenerationRequest``.

::

    client = Reelsmith.from_env()
    request = VideoGenerationRequest("A serene landscape with mountains").with_duration(5)
    response = client.generate_video(request)
    response.save("landscape.mp4")
"""

from reelsmith import webhooks
from reelsmith._async import AsyncReelsmith
from reelsmith._core import __version__
from reelsmith._errors import (
    APIConnectionError,
    AuthenticationError,
    Conflict,
    ContentPolicy,
    FileTooLarge,
    InsufficientCredits,
    JobFailed,
    KeyBudgetExceeded,
    ModelUnavailable,
    NotFound,
    PermissionDenied,
    RateLimited,
    ReelsmithError,
    ServerError,
    StorageFull,
    ValidationError,
    WaitTimeout,
)
from reelsmith._gallery import AsyncGallery, Gallery
from reelsmith._process import ProcessRequest
from reelsmith._request import InputRef, VideoGenerationRequest
from reelsmith._sync import Reelsmith
from reelsmith._types import (
    Asset,
    AsyncVideoGenerationResponse,
    Attempt,
    Balance,
    Estimate,
    JobError,
    Model,
    VideoGenerationResponse,
)

__all__ = [
    "APIConnectionError",
    "Asset",
    "AsyncGallery",
    "AsyncReelsmith",
    "AsyncVideoGenerationResponse",
    "Attempt",
    "AuthenticationError",
    "Balance",
    "Conflict",
    "ContentPolicy",
    "Estimate",
    "FileTooLarge",
    "Gallery",
    "InputRef",
    "InsufficientCredits",
    "JobError",
    "JobFailed",
    "KeyBudgetExceeded",
    "Model",
    "ModelUnavailable",
    "NotFound",
    "PermissionDenied",
    "ProcessRequest",
    "RateLimited",
    "Reelsmith",
    "ReelsmithError",
    "ServerError",
    "StorageFull",
    "ValidationError",
    "VideoGenerationRequest",
    "VideoGenerationResponse",
    "WaitTimeout",
    "__version__",
    "webhooks",
]
