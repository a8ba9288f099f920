"""How the registry's rule targets are found: a registered model by its name, with the
kit's lookup (the grants API finds a model the same way)."""

from services.core.auth.decisions import Creating
from services.core.auth.grant_target import REGISTERED_MODEL_BY_NAME

RESOLVERS = {
    "model": REGISTERED_MODEL_BY_NAME,
    "new_registered_model": Creating("registered_model"),
}
