{{/* The GRIMOIRE_* settings every service container gets (services/core/config.py names
them; docs/configuration.md lists them). (dict "root" $ "component" "tracking") */}}
{{- define "grimoire.env" -}}
{{- $v := .root.Values }}
{{- include "grimoire.databaseEnv" .root }}
- name: GRIMOIRE_ARTIFACTS_ROOT
  value: {{ $v.artifactStore.root | quote }}
- name: GRIMOIRE_ARTIFACTS_S3_REGION
  value: {{ $v.artifactStore.s3.region | quote }}
- name: GRIMOIRE_ARTIFACTS_S3_PATH_STYLE
  value: {{ $v.artifactStore.s3.pathStyle | quote }}
{{- with $v.artifactStore.s3.endpointUrl }}
- name: GRIMOIRE_ARTIFACTS_S3_ENDPOINT_URL
  value: {{ . | quote }}
{{- end }}
{{- $s3 := $v.artifactStore.s3 }}
{{- if or $s3.accessKeyId $s3.existingSecret.name }}
{{ include "grimoire.secretEnv" (dict "root" .root "env" "GRIMOIRE_ARTIFACTS_S3_ACCESS_KEY_ID" "existing" $s3.existingSecret "existingKey" "accessKeyIdKey" "chartKey" "s3-access-key-id") }}
{{ include "grimoire.secretEnv" (dict "root" .root "env" "GRIMOIRE_ARTIFACTS_S3_SECRET_ACCESS_KEY" "existing" $s3.existingSecret "existingKey" "secretAccessKeyKey" "chartKey" "s3-secret-access-key") }}
{{- end }}
{{- with include "grimoire.publicUrl" .root }}
- name: GRIMOIRE_SERVER_PUBLIC_URL
  value: {{ . | quote }}
{{- end }}
{{- if $v.auth.disabled }}
- name: GRIMOIRE_AUTH_DISABLED
  value: "true"
{{- else }}
{{- $oidc := $v.auth.oidc }}
- name: GRIMOIRE_AUTH_ISSUER
  value: {{ $oidc.issuer | quote }}
- name: GRIMOIRE_AUTH_AUDIENCE
  value: {{ $oidc.audience | quote }}
- name: GRIMOIRE_AUTH_SCOPES
  value: {{ $oidc.scopes | quote }}
- name: GRIMOIRE_AUTH_GROUPS_CLAIM
  value: {{ $oidc.groupsClaim | quote }}
- name: GRIMOIRE_AUTH_ADMIN_GROUPS
  value: {{ $oidc.adminGroups | quote }}
- name: GRIMOIRE_AUTH_ADMIN_USERS
  value: {{ $oidc.adminUsers | quote }}
{{- with $oidc.clientId }}
- name: GRIMOIRE_AUTH_CLIENT_ID
  value: {{ . | quote }}
{{- end }}
{{- if or $oidc.clientSecret $oidc.existingSecret.name }}
{{ include "grimoire.secretEnv" (dict "root" .root "env" "GRIMOIRE_AUTH_CLIENT_SECRET" "existing" $oidc.existingSecret "existingKey" "key" "chartKey" "oidc-client-secret") }}
{{- end }}
{{- end }}
{{- if eq .component "registry" }}
{{/* Only the registry encrypts and delivers webhooks; every replica shares the key. */}}
{{ include "grimoire.secretEnv" (dict "root" .root "env" "GRIMOIRE_REGISTRY_WEBHOOK_SECRET_KEY" "existing" $v.webhooks.existingSecret "existingKey" "key" "chartKey" "webhook-encryption-key") }}
{{- with $v.webhooks.allowedHosts }}
- name: GRIMOIRE_REGISTRY_WEBHOOK_ALLOWED_HOSTS
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- if eq .component "jobs" }}
{{/* Where training Jobs go and how their pods reach Grimoire (docs/jobs.md). */}}
- name: GRIMOIRE_JOBS_QUEUES
  value: {{ include "grimoire.jobQueues" .root | quote }}
- name: GRIMOIRE_JOBS_TRACKING_URI
  value: {{ $v.training.trackingUri | default (printf "http://%s-tracking.%s.svc:%v" (include "grimoire.fullname" .root) .root.Release.Namespace $v.server.port) | quote }}
- name: GRIMOIRE_JOBS_POD_SERVICE_ACCOUNT
  value: {{ printf "%s-job" (include "grimoire.fullname" .root) | quote }}
{{- with $v.training.defaultImage }}
- name: GRIMOIRE_JOBS_DEFAULT_IMAGE
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- with (index $v .component).extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
