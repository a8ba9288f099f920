{{/* One service's Deployment: (dict "root" $ "component" "tracking"). Every component runs
the same image as `uvicorn services.<component>.main:app`, one worker per pod (scale with
replicas, so /metrics needs no multiprocess mode). */}}
{{- define "grimoire.deployment" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $c := index $v .component }}
{{- $selector := include "grimoire.selectorLabels" . }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "grimoire.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "grimoire.componentLabels" . | nindent 4 }}
  annotations:
    checkov.io/skip1: CKV_K8S_35=Settings are read from the environment (pydantic-settings); every secret comes from a secretKeyRef, never a plain value
    checkov.io/skip2: CKV_K8S_43=Pinning by digest is the operator's choice (image.digest); the tag default is the chart's appVersion
    checkov.io/skip3: CKV_K8S_15=IfNotPresent is right for immutable version tags and digests; image.pullPolicy can say Always
    checkov.io/skip4: CKV_K8S_11=No CPU limit on purpose; CFS quotas throttle request latency, requests reserve the CPU and the HPA scales on it
    {{- if eq .component "jobs" }}
    checkov.io/skip5: CKV_K8S_38=The jobs service calls the Kubernetes API to run training Jobs; its Role allows only Jobs, Pods, pod logs, Secrets and Kueue Workloads in the training namespace
    {{- end }}
spec:
  {{- if not $c.autoscaling.enabled }}
  replicas: {{ $c.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- $selector | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # A new pod must be ready before an old one goes: no capacity lost mid-rollout.
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        {{- $selector | nindent 8 }}
        {{- with $c.podLabels }}{{ toYaml . | nindent 8 }}{{ end }}
        {{- if $v.artifactStore.workloadIdentity.enabled }}
        {{- with $v.artifactStore.workloadIdentity.podLabels }}{{ toYaml . | nindent 8 }}{{ end }}
        {{- end }}
      annotations:
        # Roll the pods when a value in the chart's Secret changes.
        checksum/secret: {{ include "grimoire.chartSecretData" $root | sha256sum }}
        {{- with $c.podAnnotations }}{{ toYaml . | nindent 8 }}{{ end }}
    spec:
      serviceAccountName: {{ include "grimoire.serviceAccountName" . }}
      # Only the jobs service calls the Kubernetes API (its Role: templates/training/); for
      # the others cloud identity webhooks (IRSA, AKS) mount their own projected token.
      automountServiceAccountToken: {{ eq .component "jobs" }}
      {{- with $v.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $v.podSecurityContext | nindent 8 }}
      # preStop sleep, then uvicorn's drain, then a margin before SIGKILL.
      terminationGracePeriodSeconds: {{ add $v.server.preStopSleepSeconds $v.server.drainSeconds 5 }}
      {{- if $v.topologySpread.enabled }}
      topologySpreadConstraints:
        {{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
        - maxSkew: 1
          topologyKey: {{ . }}
          whenUnsatisfiable: {{ $v.topologySpread.whenUnsatisfiable }}
          labelSelector:
            matchLabels:
              {{- $selector | nindent 14 }}
          # Count only this revision's pods, so a rollout spreads too.
          matchLabelKeys:
            - pod-template-hash
        {{- end }}
      {{- end }}
      {{- with $c.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "grimoire.image" $root }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          command:
            - uvicorn
            - services.{{ .component }}.main:app
            - --host=0.0.0.0
            - --port={{ $v.server.port }}
            - --timeout-graceful-shutdown={{ $v.server.drainSeconds }}
            - --proxy-headers
            - --forwarded-allow-ips={{ $v.server.forwardedAllowIps }}
          ports:
            - name: http
              containerPort: {{ $v.server.port }}
              protocol: TCP
          env:
            {{- include "grimoire.env" . | nindent 12 }}
          startupProbe:
            httpGet:
              path: /health
              port: http
            periodSeconds: {{ $v.probes.startup.periodSeconds }}
            failureThreshold: {{ $v.probes.startup.failureThreshold }}
          # /ready: the database answers and its schema is at head, so pods wait out the
          # migration hook instead of serving an old schema.
          readinessProbe:
            httpGet:
              path: /ready
              port: http
            periodSeconds: {{ $v.probes.readiness.periodSeconds }}
            failureThreshold: {{ $v.probes.readiness.failureThreshold }}
          livenessProbe:
            httpGet:
              path: /health
              port: http
            periodSeconds: {{ $v.probes.liveness.periodSeconds }}
            failureThreshold: {{ $v.probes.liveness.failureThreshold }}
          lifecycle:
            # Keep serving while endpoints and load balancers drop the pod, then SIGTERM
            # starts uvicorn's drain of in-flight requests.
            preStop:
              sleep:
                seconds: {{ $v.server.preStopSleepSeconds }}
          resources:
            {{- toYaml $c.resources | nindent 12 }}
          securityContext:
            {{- toYaml $v.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            - name: data
              mountPath: /data
      volumes:
        # The root filesystem is read-only; /tmp and the image's home and data directory
        # (/data, GRIMOIRE_DATA_DIR) are the only places a process writes. With an external
        # database and bucket nothing there outlives the pod.
        - name: tmp
          emptyDir:
            sizeLimit: 1Gi
        - name: data
          emptyDir:
            sizeLimit: 256Mi
{{- end }}
