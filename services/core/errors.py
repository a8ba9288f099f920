"""Domain errors and MLflow's error contract.

Services raise these; one exception handler (installed by the app factory) renders them as
MLflow's `{"error_code", "message"}` body with MLflow's HTTP status, so the unmodified client
maps them back to the same `MlflowException` it would get from MLflow's own server.
"""

from typing import ClassVar


class GrimoireError(Exception):
    error_code: ClassVar[str] = "INTERNAL_ERROR"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, *, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"error_code": self.error_code, "message": self.message}


class InvalidParameterValue(GrimoireError):
    error_code = "INVALID_PARAMETER_VALUE"
    http_status = 400


class ResourceAlreadyExists(GrimoireError):
    error_code = "RESOURCE_ALREADY_EXISTS"
    http_status = 400


class ResourceDoesNotExist(GrimoireError):
    error_code = "RESOURCE_DOES_NOT_EXIST"
    http_status = 404


class InvalidState(GrimoireError):
    error_code = "INVALID_STATE"
    http_status = 500


class NotImplementedByGrimoire(GrimoireError):
    error_code = "NOT_IMPLEMENTED"
    http_status = 501


class TemporarilyUnavailable(GrimoireError):
    """The server is overloaded or its database/store is unreachable: retry later.

    Always carries Retry-After; the mlflow client retries 503 with backoff.
    """

    error_code = "TEMPORARILY_UNAVAILABLE"
    http_status = 503

    def __init__(self, message: str, *, retry_after: int = 1):
        super().__init__(message, headers={"Retry-After": str(retry_after)})


class Unauthenticated(GrimoireError):
    error_code = "UNAUTHENTICATED"
    http_status = 401

    def __init__(self, message: str):
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm="grimoire"'})


class PermissionDenied(GrimoireError):
    error_code = "PERMISSION_DENIED"
    http_status = 403


class UnsupportedMediaType(GrimoireError):
    """A body in a format the endpoint does not read (MLflow's API is JSON only)."""

    error_code = "INVALID_PARAMETER_VALUE"
    http_status = 415


class PayloadTooLarge(GrimoireError):
    error_code = "INVALID_PARAMETER_VALUE"
    http_status = 413


class FeatureDisabled(GrimoireError):
    """A feature this server runs without (e.g. accounts, when authentication is off)."""

    error_code = "FEATURE_DISABLED"
    http_status = 400
