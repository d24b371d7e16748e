{{/*
Names, labels and the small pieces every template shares.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "etcron.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name every resource starts with: fullnameOverride, else RELEASE-NAME (just RELEASE
when it already contains the name). Cut to 47 characters: the bundled etcd's StatefulSet
is FULLNAME-etcd, and Kubernetes labels its pods controller-revision-hash=FULLNAME-etcd-HASH
(11 more characters), which must stay within the 63-character label limit.
*/}}
{{- define "etcron.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 47 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart-version, for the helm.sh/chart label. */}}
{{- define "etcron.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "etcron.labels" -}}
helm.sh/chart: {{ include "etcron.chart" . }}
{{ include "etcron.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: etcron
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The labels that identify the release (no component). */}}
{{- define "etcron.selectorLabels" -}}
app.kubernetes.io/name: {{ include "etcron.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector labels of the operator pods. */}}
{{- define "etcron.operator.selectorLabels" -}}
{{ include "etcron.selectorLabels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Labels of the operator's resources. */}}
{{- define "etcron.operator.labels" -}}
{{ include "etcron.labels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/* The name of the operator's ServiceAccount. */}}
{{- define "etcron.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "etcron.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag or repository@digest of the etcron image. */}}
{{- define "etcron.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Where the operator's files are mounted; the config file names them. */}}
{{- define "etcron.paths" -}}
config: /etc/etcron/config/etcron.yaml
configDir: /etc/etcron/config
etcdTLSDir: /etc/etcron/etcd-tls
etcdAuthDir: /etc/etcron/etcd-auth
apiTokensDir: /etc/etcron/api-tokens
apiTLSDir: /etc/etcron/api-tls
{{- end }}

{{/*
Pod affinity from a preset (soft, hard, none) unless affinity is given.
Arguments: (dict "affinity" ... "preset" ... "selectorLabels" YAML-TEXT)
*/}}
{{- define "etcron.affinity" -}}
{{- if .affinity }}
{{- toYaml .affinity }}
{{- else if eq .preset "soft" }}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- .selectorLabels | nindent 12 }}
{{- else if eq .preset "hard" }}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- .selectorLabels | nindent 10 }}
{{- end }}
{{- end }}

{{/*
Topology spread constraints, with the pods' labelSelector (and matchLabelKeys, for a
Deployment: pod-template-hash, so only the current ReplicaSet's pods are counted) added to
each constraint that names none.
Arguments: (dict "constraints" LIST "selectorLabels" YAML-TEXT "matchLabelKeys" LIST)
*/}}
{{- define "etcron.topologySpreadConstraints" -}}
{{- $selector := .selectorLabels | fromYaml }}
{{- $result := list }}
{{- range .constraints }}
{{- $constraint := deepCopy . }}
{{- if not (hasKey $constraint "labelSelector") }}
{{- $_ := set $constraint "labelSelector" (dict "matchLabels" $selector) }}
{{- end }}
{{- if and $.matchLabelKeys (not (hasKey $constraint "matchLabelKeys")) }}
{{- $_ := set $constraint "matchLabelKeys" $.matchLabelKeys }}
{{- end }}
{{- $result = append $result $constraint }}
{{- end }}
{{- if $result }}
{{- toYaml $result }}
{{- end }}
{{- end }}

{{/*
A stable digest of an existing Secret's data, read from the cluster (empty when the
Secret does not exist yet, or under `helm template`). Put into a checksum annotation it
rolls the pods on the next upgrade after someone changed the Secret.
Arguments: (list ROOT NAME)
*/}}
{{- define "etcron.existingSecretDigest" -}}
{{- $root := index . 0 }}
{{- $name := index . 1 }}
{{- $secret := lookup "v1" "Secret" $root.Release.Namespace $name }}
{{- if $secret }}
{{- $secret.data | toJson | sha256sum }}
{{- end }}
{{- end }}
