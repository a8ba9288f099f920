"""MLflow's webhook signature, so receivers written for MLflow verify Grimoire's unchanged.

X-MLflow-Signature: v1,<base64(HMAC-SHA256(secret, "{delivery_id}.{timestamp}.{payload}"))>
"""

import base64
import hashlib
import hmac

SIGNATURE_HEADER = "X-MLflow-Signature"
TIMESTAMP_HEADER = "X-MLflow-Timestamp"
DELIVERY_ID_HEADER = "X-MLflow-Delivery-Id"


def sign(secret: str, delivery_id: str, timestamp: str, payload: str) -> str:
    content = f"{delivery_id}.{timestamp}.{payload}".encode()
    digest = hmac.new(secret.encode(), content, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"
