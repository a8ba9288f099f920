"""Webhook signing secrets are stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256).

cryptography (~7 MiB a process) is imported by the first secret encrypted or decrypted, not
at startup: most registry processes never hold a webhook secret."""

from typing import TYPE_CHECKING

from services.core.config import RegistrySettings
from services.core.errors import InvalidState

if TYPE_CHECKING:
    from cryptography.fernet import Fernet


def _fernet(settings: RegistrySettings) -> "Fernet":
    from cryptography.fernet import Fernet

    if settings.webhook_secret_key is None:
        raise InvalidState(
            "Webhook secrets need GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY (a Fernet key) to be set "
            "on the registry service."
        )
    return Fernet(settings.webhook_secret_key.get_secret_value().encode())


def encrypt(secret: str, settings: RegistrySettings) -> bytes:
    return _fernet(settings).encrypt(secret.encode())


def decrypt(token: bytes, settings: RegistrySettings) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _fernet(settings).decrypt(token).decode()
    except InvalidToken:
        raise InvalidState(
            "A webhook secret cannot be decrypted with the configured key."
        ) from None
