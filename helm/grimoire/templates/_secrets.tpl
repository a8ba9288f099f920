{{/* Where each secret setting comes from: an existing Secret the operator names, or the
chart's own Secret (templates/secret.yaml) filled from values. Secrets always reach the
containers as secretKeyRef, never as plain env values. */}}

{{- define "grimoire.chartSecretName" -}}
{{- include "grimoire.fullname" . }}
{{- end }}

{{/* (dict "root" $ "env" "GRIMOIRE_..." "existing" <existingSecret values> "existingKey"
"<key field>" "chartKey" "<key in the chart's Secret>") */}}
{{- define "grimoire.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      {{- if .existing.name }}
      name: {{ .existing.name }}
      key: {{ index .existing .existingKey }}
      {{- else }}
      name: {{ include "grimoire.chartSecretName" .root }}
      key: {{ .chartKey }}
      {{- end }}
{{- end }}

{{- define "grimoire.databaseEnv" -}}
{{ include "grimoire.secretEnv" (dict "root" . "env" "GRIMOIRE_DATABASE_URL" "existing" .Values.database.existingSecret "existingKey" "key" "chartKey" "database-url") }}
{{- end }}

{{/* The chart's Secret: only the keys whose values were given. */}}
{{- define "grimoire.chartSecretData" -}}
{{- $data := dict }}
{{- with .Values.database.url }}{{ $_ := set $data "database-url" . }}{{ end }}
{{- with .Values.artifactStore.s3.accessKeyId }}{{ $_ := set $data "s3-access-key-id" . }}{{ end }}
{{- with .Values.artifactStore.s3.secretAccessKey }}{{ $_ := set $data "s3-secret-access-key" . }}{{ end }}
{{- with .Values.auth.oidc.clientSecret }}{{ $_ := set $data "oidc-client-secret" . }}{{ end }}
{{- with .Values.webhooks.encryptionKey }}{{ $_ := set $data "webhook-encryption-key" . }}{{ end }}
{{- toJson $data }}
{{- end }}
