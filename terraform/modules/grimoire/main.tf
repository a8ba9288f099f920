# The Grimoire release wired to the rest: the database URL comes from the RDS-managed secret
# through External Secrets (no password in state or values), artifacts in the bucket under
# the artifacts role, OIDC from variables, and an ALB Ingress terminating TLS with ACM.
locals {
  chart_path           = coalesce(var.chart_path, "${path.module}/../../../helm/grimoire")
  database_secret_name = "${var.name}-database"

  ingress_annotations = {
    "alb.ingress.kubernetes.io/scheme"          = var.load_balancer_scheme
    "alb.ingress.kubernetes.io/target-type"     = "ip"
    "alb.ingress.kubernetes.io/listen-ports"    = jsonencode([{ HTTPS = 443 }])
    "alb.ingress.kubernetes.io/certificate-arn" = var.certificate_arn
    "alb.ingress.kubernetes.io/ssl-policy"      = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    "alb.ingress.kubernetes.io/security-groups" = var.load_balancer_security_group_id
    # A frontend group of our own replaces the controller's; it still adds the node-side rule.
    "alb.ingress.kubernetes.io/manage-backend-security-group-rules" = "true"
    "alb.ingress.kubernetes.io/healthcheck-path"                    = "/health"
  }

  values = {
    fullnameOverride = var.name
    image = {
      repository = var.image.repository
      tag        = var.image.tag
      digest     = var.image.digest
    }
    publicUrl = "https://${var.host}"
    database = {
      existingSecret = { name = local.database_secret_name, key = "url" }
    }
    artifactStore = {
      root = var.artifacts.root
      s3   = { region = var.artifacts.region }
    }
    auth = {
      oidc = {
        issuer         = var.oidc.issuer
        clientId       = var.oidc.client_id
        existingSecret = { name = var.oidc.client_secret_name, key = var.oidc.client_secret_key }
        audience       = var.oidc.audience
        groupsClaim    = var.oidc.groups_claim
        adminGroups    = join(",", var.oidc.admin_groups)
      }
    }
    webhooks = {
      existingSecret = { name = var.webhooks_secret.name, key = var.webhooks_secret.key }
    }
    ingress = {
      enabled     = true
      className   = "alb"
      host        = var.host
      annotations = local.ingress_annotations
    }
    tracking = { replicas = var.replicas }
    artifacts = {
      replicas       = var.replicas
      serviceAccount = { annotations = var.artifacts.service_account_annotations }
    }
    registry = { replicas = var.replicas }
    web      = { replicas = var.replicas }
  }
}

resource "kubernetes_namespace_v1" "grimoire" {
  count = var.create_namespace ? 1 : 0

  metadata {
    name = var.namespace
  }
}

resource "helm_release" "external_secrets" {
  count = var.install_external_secrets ? 1 : 0

  name             = "external-secrets"
  namespace        = "external-secrets"
  create_namespace = true
  repository       = "https://charts.external-secrets.io"
  chart            = "external-secrets"
  version          = var.external_secrets_version
}

resource "kubernetes_manifest" "secret_store" {
  manifest = {
    apiVersion = "external-secrets.io/v1"
    kind       = "SecretStore"
    metadata   = { name = "aws-secrets-manager", namespace = var.namespace }
    spec = {
      # No auth block: the controller's own identity (the identities module's
      # external-secrets role, which may read only the database secret).
      provider = {
        aws = { service = "SecretsManager", region = var.artifacts.region }
      }
    }
  }

  depends_on = [helm_release.external_secrets, kubernetes_namespace_v1.grimoire]
}

resource "kubernetes_manifest" "database_url" {
  manifest = {
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata   = { name = local.database_secret_name, namespace = var.namespace }
    spec = {
      refreshInterval = "1h"
      secretStoreRef  = { kind = "SecretStore", name = "aws-secrets-manager" }
      dataFrom        = [{ extract = { key = var.database.secret_arn } }]
      target = {
        name = local.database_secret_name
        template = {
          engineVersion = "v2"
          data = {
            # RDS rotates the password; External Secrets rewrites the URL within refreshInterval.
            url = "postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@${var.database.endpoint}:${var.database.port}/${var.database.name}?ssl=require"
          }
        }
      }
    }
  }

  depends_on = [kubernetes_manifest.secret_store]
}

resource "helm_release" "grimoire" {
  name      = var.name
  namespace = var.namespace
  chart     = local.chart_path

  values = [yamlencode(local.values)]

  # The migration hook Job waits for the database; the release waits for /ready.
  wait    = true
  timeout = 900

  depends_on = [kubernetes_manifest.database_url, kubernetes_namespace_v1.grimoire]
}
