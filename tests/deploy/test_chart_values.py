"""Each values branch of the chart renders what it says (test_chart_failures.py: the values
it refuses)."""

import pytest

from services.core.config import (
    ArtifactSettings,
    AuthSettings,
    DatabaseSettings,
    GrimoireSettings,
    RegistrySettings,
    ServerSettings,
)
from services.jobs.queues import JobsSettings
from tests.fixtures.chart import COMPONENTS, ci_values, default_with, find, kinds, render


def _container(documents, component):
    deployment = find(documents, "Deployment", f"grim-grimoire-{component}")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def _env(container):
    return {entry["name"]: entry for entry in container["env"]}


def test_autoscaling_replaces_the_fixed_replica_count():
    fixed = render(default_with(tracking={"replicas": 3}))
    assert find(fixed, "Deployment", "grim-grimoire-tracking")["spec"]["replicas"] == 3
    assert "HorizontalPodAutoscaler" not in kinds(fixed)

    scaled = render(default_with(tracking={"autoscaling": {"enabled": True, "maxReplicas": 7}}))
    assert "replicas" not in find(scaled, "Deployment", "grim-grimoire-tracking")["spec"]
    hpa = find(scaled, "HorizontalPodAutoscaler", "grim-grimoire-tracking")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 7)
    assert hpa["spec"]["scaleTargetRef"]["name"] == "grim-grimoire-tracking"
    # The other components keep their fixed count.
    assert find(scaled, "Deployment", "grim-grimoire-web")["spec"]["replicas"] == 1


def test_every_optional_object_is_behind_its_component_flag():
    features = {
        "pdb": "PodDisruptionBudget",
        "serviceMonitor": "ServiceMonitor",
        "networkPolicy": "NetworkPolicy",
    }
    for feature, kind in features.items():
        values = default_with(registry={feature: {"enabled": True}, "replicas": 2})
        names = {d["metadata"]["name"] for d in render(values) if d["kind"] == kind}
        # The migrations NetworkPolicy is its own (database.migrations.networkPolicy); the
        # jobs one is on by default (that component holds Kubernetes credentials).
        on_by_default = {"grim-grimoire-migrations", "grim-grimoire-jobs"}
        assert names - on_by_default == {"grim-grimoire-registry"}, feature
    without = render(default_with(tracking={"serviceAccount": {"enabled": False, "name": "ml-sa"}}))
    accounts = {d["metadata"]["name"] for d in without if d["kind"] == "ServiceAccount"}
    assert "grim-grimoire-tracking" not in accounts
    spec = find(without, "Deployment", "grim-grimoire-tracking")["spec"]["template"]["spec"]
    assert spec["serviceAccountName"] == "ml-sa"


def test_ha_pods_roll_without_losing_capacity_and_spread_over_zones_and_nodes():
    documents = render(ci_values("ha"))
    for component in COMPONENTS:
        deployment = find(documents, "Deployment", f"grim-grimoire-{component}")
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        pod = deployment["spec"]["template"]["spec"]
        spread = {c["topologyKey"]: c for c in pod["topologySpreadConstraints"]}
        assert set(spread) == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
        assert {c["whenUnsatisfiable"] for c in spread.values()} == {"DoNotSchedule"}
        (container,) = pod["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        assert container["startupProbe"]["httpGet"]["path"] == "/health"
        # Grace outlasts the preStop pause plus uvicorn's drain of in-flight requests.
        pause = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        assert "--timeout-graceful-shutdown=60" in container["command"]
        assert pod["terminationGracePeriodSeconds"] > pause + 60
        assert find(documents, "PodDisruptionBudget", f"grim-grimoire-{component}")
    web_selector = find(documents, "Service", "grim-grimoire-web")["spec"]["selector"]
    assert find(documents, "PodDisruptionBudget", "grim-grimoire-web")["spec"] == {
        "minAvailable": 1,
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
        "selector": {"matchLabels": web_selector},
    }
    tracking_budget = find(documents, "PodDisruptionBudget", "grim-grimoire-tracking")["spec"]
    assert tracking_budget["maxUnavailable"] == 1 and "minAvailable" not in tracking_budget


def test_secrets_from_values_land_in_the_charts_secret_never_in_env_values():
    documents = render(ci_values("default"))
    secret = find(documents, "Secret", "grim-grimoire")
    assert set(secret["data"]) == {
        "database-url",
        "s3-access-key-id",
        "s3-secret-access-key",
        "oidc-client-secret",
        "webhook-encryption-key",
    }
    env = _env(_container(documents, "registry"))
    for name, key in {
        "GRIMOIRE_DATABASE_URL": "database-url",
        "GRIMOIRE_ARTIFACTS_S3_SECRET_ACCESS_KEY": "s3-secret-access-key",
        "GRIMOIRE_AUTH_CLIENT_SECRET": "oidc-client-secret",
        "GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY": "webhook-encryption-key",
    }.items():
        assert env[name]["valueFrom"]["secretKeyRef"] == {"name": "grim-grimoire", "key": key}
    # Only the registry encrypts webhook secrets.
    assert "GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY" not in _env(_container(documents, "tracking"))
    for document in documents:
        if document["kind"] in ("Deployment", "Job"):
            for container in document["spec"]["template"]["spec"]["containers"]:
                plain = [e["value"] for e in container["env"] if "value" in e]
                assert not any("test-" in value or "password" in value for value in plain)


def test_existing_secrets_are_referenced_and_the_chart_renders_none():
    documents = render(ci_values("external-secrets"))
    assert "Secret" not in kinds(documents)
    env = _env(_container(documents, "registry"))
    refs = {
        name: env[name]["valueFrom"]["secretKeyRef"] for name in env if "valueFrom" in env[name]
    }
    assert refs == {
        "GRIMOIRE_DATABASE_URL": {"name": "grimoire-postgres", "key": "uri"},
        "GRIMOIRE_ARTIFACTS_S3_ACCESS_KEY_ID": {"name": "grimoire-minio", "key": "rootUser"},
        "GRIMOIRE_ARTIFACTS_S3_SECRET_ACCESS_KEY": {
            "name": "grimoire-minio",
            "key": "rootPassword",
        },
        "GRIMOIRE_AUTH_CLIENT_SECRET": {"name": "grimoire-oidc", "key": "client-secret"},
        "GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY": {"name": "grimoire-webhooks", "key": "fernet-key"},
    }
    job = find(documents, "Job", "grim-grimoire-migrations")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert _env(container)["GRIMOIRE_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "grimoire-postgres",
        "key": "uri",
    }


def test_the_migration_job_is_a_pre_install_hook_with_its_own_earlier_hooks():
    documents = render(ci_values("default"))
    hooks = {
        (d["kind"], d["metadata"]["name"]): d["metadata"]["annotations"]
        for d in documents
        if "helm.sh/hook" in d["metadata"].get("annotations", {})
    }
    name = "grim-grimoire-migrations"
    assert set(hooks) == {
        ("Job", name),
        ("ServiceAccount", name),
        ("Secret", name),
        ("NetworkPolicy", name),
    }
    assert {a["helm.sh/hook"] for a in hooks.values()} == {"pre-install,pre-upgrade"}
    job_weight = int(hooks[("Job", name)]["helm.sh/hook-weight"])
    for key, annotations in hooks.items():
        if key[0] != "Job":
            assert int(annotations["helm.sh/hook-weight"]) < job_weight, key
    pod = find(documents, "Job", name)["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == name and pod["restartPolicy"] == "Never"
    assert pod["containers"][0]["command"] == ["grimoire", "db", "upgrade"]
    env = _env(pod["containers"][0])
    assert env["GRIMOIRE_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == name


def test_workload_identity_annotates_every_service_account_and_drops_static_keys():
    documents = render(ci_values("s3-workload-identity"))
    for component in COMPONENTS:
        account = find(documents, "ServiceAccount", f"grim-grimoire-{component}")
        assert account["metadata"]["annotations"] == {
            "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/grimoire-artifacts"
        }
        env = _env(_container(documents, component))
        assert "GRIMOIRE_ARTIFACTS_S3_ACCESS_KEY_ID" not in env
        assert env["GRIMOIRE_ARTIFACTS_S3_REGION"]["value"] == "eu-west-1"
    aks = default_with(
        artifactStore={
            "s3": {"accessKeyId": "", "secretAccessKey": ""},
            "workloadIdentity": {
                "enabled": True,
                "serviceAccountAnnotations": {"azure.workload.identity/client-id": "abc"},
                "podLabels": {"azure.workload.identity/use": "true"},
            },
        }
    )
    deployment = find(render(aks), "Deployment", "grim-grimoire-artifacts")
    assert deployment["spec"]["template"]["metadata"]["labels"]["azure.workload.identity/use"]
    # Without workload identity, the pod labels stay off.
    plain = find(render(ci_values("default")), "Deployment", "grim-grimoire-artifacts")
    assert "azure.workload.identity/use" not in plain["spec"]["template"]["metadata"]["labels"]


def test_oidc_settings_reach_every_service():
    documents = render(ci_values("oidc"))
    for component in COMPONENTS:
        env = _env(_container(documents, component))
        assert env["GRIMOIRE_AUTH_ISSUER"]["value"] == "https://keycloak.example.com/realms/ml"
        assert env["GRIMOIRE_AUTH_AUDIENCE"]["value"] == "grimoire-api"
        assert env["GRIMOIRE_AUTH_ADMIN_GROUPS"]["value"] == "ml-platform,ml-admins"
        assert env["GRIMOIRE_SERVER_PUBLIC_URL"]["value"] == "https://grimoire.example.com"
    disabled = default_with(auth={"disabled": True, "oidc": {"issuer": "", "clientSecret": ""}})
    env = _env(_container(render(disabled), "tracking"))
    assert env["GRIMOIRE_AUTH_DISABLED"]["value"] == "true"
    assert "GRIMOIRE_AUTH_ISSUER" not in env


def test_network_policies_admit_the_ingress_controller_and_reach_only_dns_postgres_https():
    documents = render(ci_values("s3-workload-identity"))
    policy = find(documents, "NetworkPolicy", "grim-grimoire-artifacts")["spec"]
    (ingress,) = policy["ingress"]
    assert {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
    } in ingress["from"]
    egress_ports = [sorted(p["port"] for p in rule["ports"]) for rule in policy["egress"]]
    assert egress_ports == [[53, 53], [5432], [443]]
    assert policy["egress"][1]["to"] == [{"ipBlock": {"cidr": "10.20.0.0/16"}}]
    assert "to" not in policy["egress"][2]


def _setting_names() -> set[str]:
    classes = (
        GrimoireSettings,
        DatabaseSettings,
        ArtifactSettings,
        ServerSettings,
        RegistrySettings,
        AuthSettings,
        JobsSettings,
    )
    return {
        (cls.model_config["env_prefix"] + field).upper()
        for cls in classes
        for field in cls.model_fields
    }


@pytest.mark.parametrize("name", ["default", "external-secrets", "oidc", "ha"])
def test_the_chart_sets_only_settings_the_services_read(name):
    settings = _setting_names()
    for document in render(ci_values(name)):
        if document["kind"] in ("Deployment", "Job"):
            for container in document["spec"]["template"]["spec"]["containers"]:
                names = {entry["name"] for entry in container["env"]}
                assert names <= settings, names - settings
