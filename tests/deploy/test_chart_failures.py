"""Values that are missing, contradict each other or are unknown fail the render with a
message naming the keys, instead of installing something that cannot work."""

import helm_python
import pytest

from tests.fixtures.chart import ci_values, default_with, render


def _fails(values, message):
    with pytest.raises(helm_python.HelmError, match=message):
        render(values)


CONTRADICTIONS = {
    "database: set url or existingSecret.name, not both": {
        "database": {"existingSecret": {"name": "pg"}}
    },
    "ingress.enabled and httpRoute.enabled": {
        "httpRoute": {"enabled": True, "parentRefs": [{"name": "gw"}]}
    },
    "workloadIdentity.enabled replaces static S3 keys": {
        "artifactStore": {
            "workloadIdentity": {"enabled": True, "serviceAccountAnnotations": {"a": "b"}}
        }
    },
    "accessKeyId and secretAccessKey go together": {
        "artifactStore": {"s3": {"secretAccessKey": ""}}
    },
    "auth: disabled is true but oidc.issuer is set": {"auth": {"disabled": True}},
    "webhooks: set encryptionKey or existingSecret.name, not both": {
        "webhooks": {"existingSecret": {"name": "hooks"}}
    },
    "tracking.autoscaling: minReplicas exceeds maxReplicas": {
        "tracking": {"autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 3}}
    },
    "web.pdb: set minAvailable or maxUnavailable, not both": {
        "web": {"replicas": 3, "pdb": {"enabled": True, "minAvailable": 1, "maxUnavailable": 1}}
    },
    "web.pdb.minAvailable 2 leaves no pod to evict with 2 replicas": {
        "web": {"replicas": 2, "pdb": {"enabled": True, "minAvailable": 2}}
    },
    "registry.pdb: a budget over fewer than 2 replicas blocks node drains": {
        "registry": {"pdb": {"enabled": True}}
    },
    "certManager.enabled needs ingress.tls.enabled": {
        "ingress": {"tls": {"certManager": {"enabled": True, "clusterIssuer": "le"}}}
    },
}


@pytest.mark.parametrize("message", CONTRADICTIONS)
def test_contradictory_values_fail_the_render(message):
    _fails(default_with(**CONTRADICTIONS[message]), message)


@pytest.mark.parametrize(
    "message,dropped",
    [
        ("database: set url or existingSecret.name", "database"),
        ("artifactStore.root: set s3://bucket/prefix", "artifactStore"),
        ("auth.oidc.issuer: required unless auth.disabled", "auth"),
        ("webhooks: set encryptionKey or existingSecret.name", "webhooks"),
    ],
)
def test_missing_required_values_fail_the_render(message, dropped):
    values = {key: value for key, value in ci_values("default").items() if key != dropped}
    _fails(values, message)


@pytest.mark.parametrize(
    "values",
    [
        {"tracking": {"replica": 2}},
        {"ingress": {"enabled": True, "hosts": ["a.example.com"]}},
        {"monitoring": {"prometheusRule": {"enabled": True, "severity": "page"}}},
        {"databse": {"url": "postgresql://x"}},
    ],
)
def test_unknown_keys_are_rejected_by_the_schema(values):
    _fails(default_with(**values), "additional properties .* not allowed")


def test_the_schema_checks_value_shapes():
    _fails(default_with(artifactStore={"root": "/var/lib/grimoire"}), "artifactStore/root")
    _fails(default_with(webhooks={"encryptionKey": "too-short"}), "webhooks/encryptionKey")
    _fails(default_with(image={"pullPolicy": "Sometimes"}), "image/pullPolicy")
