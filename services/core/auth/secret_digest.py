import hashlib


def secret_digest(secret: str) -> str:
    """What the database keeps of a random secret (a token, a session cookie, a sign-in's
    browser binding): its SHA-256 in hex. A fast hash suffices because the secrets are random,
    not passwords."""
    return hashlib.sha256(secret.encode()).hexdigest()
