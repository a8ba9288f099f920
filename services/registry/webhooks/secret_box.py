"""Webhook signing secrets are stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256)."""

from cryptography.fernet import Fernet, InvalidToken

from services.core.config import RegistrySettings
from services.core.errors import InvalidState


def _fernet(settings: RegistrySettings) -> Fernet:
    if settings.webhook_secret_key is None:
        raise InvalidState(
            "Webhook secrets need GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY (a Fernet key) to be set "
            "on the registry service."
        )
    return Fernet(settings.webhook_secret_key.get_secret_value().encode())


def encrypt(secret: str, settings: RegistrySettings) -> bytes:
    return _fernet(settings).encrypt(secret.encode())


def decrypt(token: bytes, settings: RegistrySettings) -> str:
    try:
        return _fernet(settings).decrypt(token).decode()
    except InvalidToken:
        raise InvalidState(
            "A webhook secret cannot be decrypted with the configured key."
        ) from None
