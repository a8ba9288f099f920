{{/* The rest of a component's file set: (dict "root" $ "component" "tracking"). */}}

{{- define "grimoire.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "grimoire.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "grimoire.componentLabels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "grimoire.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
{{- end }}

{{- define "grimoire.serviceAccount" -}}
{{- $c := index .root.Values .component }}
{{- if $c.serviceAccount.enabled }}
{{- $identity := .root.Values.artifactStore.workloadIdentity }}
{{- $annotations := deepCopy $c.serviceAccount.annotations }}
{{- if $identity.enabled }}
{{- $annotations = merge $annotations $identity.serviceAccountAnnotations }}
{{- end }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "grimoire.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "grimoire.componentLabels" . | nindent 4 }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end }}

{{- define "grimoire.hpa" -}}
{{- $c := index .root.Values .component }}
{{- if $c.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "grimoire.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "grimoire.componentLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "grimoire.componentName" . }}
  minReplicas: {{ $c.autoscaling.minReplicas }}
  maxReplicas: {{ $c.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $c.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end }}

{{- define "grimoire.pdb" -}}
{{- $c := index .root.Values .component }}
{{- if $c.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "grimoire.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "grimoire.componentLabels" . | nindent 4 }}
spec:
  {{- if not (kindIs "invalid" $c.pdb.minAvailable) }}
  minAvailable: {{ $c.pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ kindIs "invalid" $c.pdb.maxUnavailable | ternary 1 $c.pdb.maxUnavailable }}
  {{- end }}
  # A pod that never became ready may be evicted even when the budget is spent.
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "grimoire.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{- define "grimoire.serviceMonitor" -}}
{{- $c := index .root.Values .component }}
{{- if $c.serviceMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "grimoire.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "grimoire.componentLabels" . | nindent 4 }}
    {{- with $c.serviceMonitor.labels }}{{ toYaml . | nindent 4 }}{{ end }}
spec:
  selector:
    matchLabels:
      {{- include "grimoire.selectorLabels" . | nindent 6 }}
  namespaceSelector:
    matchNames:
      - {{ .root.Release.Namespace }}
  endpoints:
    - port: http
      path: /metrics
      interval: {{ $c.serviceMonitor.interval }}
{{- end }}
{{- end }}

{{/* In: the ingress controller (and Prometheus) on the http port. Out: DNS, PostgreSQL and
HTTPS (S3, the identity provider, cloud token endpoints, webhook targets). */}}
{{- define "grimoire.networkPolicy" -}}
{{- $v := .root.Values }}
{{- $c := index $v .component }}
{{- if $c.networkPolicy.enabled }}
{{- $np := $v.networkPolicy }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "grimoire.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "grimoire.componentLabels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "grimoire.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    - from:
        {{- concat $np.ingressFrom $np.metricsFrom | toYaml | nindent 8 }}
      ports:
        - port: http
          protocol: TCP
  egress:
    - ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- range $rule := list $np.egress.database $np.egress.https }}
    - {{- with $rule.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        {{- range $rule.ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
    {{- end }}
    {{- if eq .component "jobs" }}
    # The Kubernetes API server (the jobs service creates and watches training Jobs).
    - {{- with $v.training.kubeApiCidrs }}
      to:
        {{- range . }}
        - ipBlock:
            cidr: {{ . }}
        {{- end }}
      {{- end }}
      ports:
        {{- range $v.training.kubeApiPorts }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
    {{- end }}
    {{- with $np.egress.extra }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end }}
