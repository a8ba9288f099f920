{{/* Names, labels and the image: shared by every component's templates. */}}

{{- define "grimoire.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-<chart> unless the release name already contains the chart name. Components
append "-<component>" (at most 10 characters), so the base stays within 52. */}}
{{- define "grimoire.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "grimoire.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "grimoire.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: grimoire
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "tracking"). */}}
{{- define "grimoire.selectorLabels" -}}
app.kubernetes.io/name: {{ include "grimoire.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "grimoire.componentLabels" -}}
{{ include "grimoire.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "grimoire.componentName" -}}
{{- printf "%s-%s" (include "grimoire.fullname" .root) .component }}
{{- end }}

{{- define "grimoire.serviceAccountName" -}}
{{- $values := index .root.Values .component }}
{{- if $values.serviceAccount.enabled }}
{{- include "grimoire.componentName" . }}
{{- else }}
{{- default "default" $values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "grimoire.image" -}}
{{- $image := .Values.image }}
{{- if $image.digest }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $image.repository (default .Chart.AppVersion $image.tag) }}
{{- end }}
{{- end }}

{{/* The URL clients reach Grimoire at: publicUrl, else the Ingress or HTTPRoute host. */}}
{{- define "grimoire.publicUrl" -}}
{{- if .Values.publicUrl }}
{{- .Values.publicUrl | trimSuffix "/" }}
{{- else if and .Values.ingress.enabled .Values.ingress.host }}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host }}
{{- else if and .Values.httpRoute.enabled .Values.httpRoute.hostnames }}
{{- printf "https://%s" (first .Values.httpRoute.hostnames) }}
{{- end }}
{{- end }}

{{/* The routing table (files/routes.yaml, generated from the services' specs) grouped by
service: {"tracking": ["/api/2.0/mlflow/", ...], ...}, each list longest prefix first. */}}
{{- define "grimoire.routesByService" -}}
{{- $byService := dict }}
{{- range (.Files.Get "files/routes.yaml" | fromYaml).routes }}
{{- $_ := set $byService .service (append (get $byService .service | default list) .prefix) }}
{{- end }}
{{- toJson $byService }}
{{- end }}

{{/* The namespace training Jobs run in (training.namespace, else the release's). */}}
{{- define "grimoire.trainingNamespace" -}}
{{- .Values.training.namespace | default .Release.Namespace }}
{{- end }}

{{/* The queues as GRIMOIRE_JOBS_QUEUES reads them: a queue without a namespace gets the
training namespace. */}}
{{- define "grimoire.jobQueues" -}}
{{- $namespace := include "grimoire.trainingNamespace" . }}
{{- $queues := list }}
{{- range .Values.training.queues }}
{{- $queues = append $queues (merge (dict "namespace" $namespace) .) }}
{{- end }}
{{- toJson $queues }}
{{- end }}
