"""Symmetric encryption of stored provider keys (Fernet: AES-128-CBC + HMAC-SHA256)."""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from apps.core.errors import ApplicationError, ErrorCode


def _fernet() -> Fernet:
    secret = (settings.PROVIDER_KEYS_SECRET or settings.SECRET_KEY).encode()
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"reelsmith-provider-keys", info=b"fernet"
    ).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ApplicationError(
            "A stored provider key cannot be decrypted (was PROVIDER_KEYS_SECRET changed?).",
            code=ErrorCode.MODEL_UNAVAILABLE,
            status=500,
        ) from None
