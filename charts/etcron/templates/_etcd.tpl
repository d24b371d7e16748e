{{/*
The bundled etcd's names and addresses, and how the operator reaches etcd (bundled or
external).
*/}}

{{/* The bundled etcd's StatefulSet and client Service name. */}}
{{- define "etcron.etcd.fullname" -}}
{{- printf "%s-etcd" (include "etcron.fullname" .) }}
{{- end }}

{{/* The headless Service that gives every member a stable DNS name (peer traffic). */}}
{{- define "etcron.etcd.headlessName" -}}
{{- printf "%s-etcd-headless" (include "etcron.fullname" .) }}
{{- end }}

{{/* Selector labels of the etcd members. */}}
{{- define "etcron.etcd.selectorLabels" -}}
{{ include "etcron.selectorLabels" . }}
app.kubernetes.io/component: etcd
{{- end }}

{{/* Labels of the bundled etcd's resources. */}}
{{- define "etcron.etcd.labels" -}}
{{ include "etcron.labels" . }}
app.kubernetes.io/component: etcd
{{- end }}

{{/* http or https, for the bundled etcd's URLs. */}}
{{- define "etcron.etcd.scheme" -}}
{{- if .Values.etcd.bundled.tls.enabled }}https{{ else }}http{{ end }}
{{- end }}

{{/* repository:tag or repository@digest of the etcd image. */}}
{{- define "etcron.etcd.image" -}}
{{- $image := .Values.etcd.bundled.image }}
{{- if $image.digest }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $image.repository $image.tag }}
{{- end }}
{{- end }}

{{/* The fully qualified DNS name of member INDEX. Arguments: (list ROOT INDEX) */}}
{{- define "etcron.etcd.memberHost" -}}
{{- $root := index . 0 }}
{{- printf "%s-%d.%s.%s.svc.%s" (include "etcron.etcd.fullname" $root) (index . 1 | int) (include "etcron.etcd.headlessName" $root) $root.Release.Namespace $root.Values.clusterDomain }}
{{- end }}

{{/* --initial-cluster: NAME=PEER-URL for every member. */}}
{{- define "etcron.etcd.initialCluster" -}}
{{- $members := list }}
{{- range $index := until (.Values.etcd.bundled.replicaCount | int) }}
{{- $members = append $members (printf "%s-%d=%s://%s:2380" (include "etcron.etcd.fullname" $) $index (include "etcron.etcd.scheme" $) (include "etcron.etcd.memberHost" (list $ $index))) }}
{{- end }}
{{- join "," $members }}
{{- end }}

{{/*
The operator's etcd-endpoints, as a YAML list. For the bundled etcd: one DNS name, the
client Service (headless, ready members only), which the client's resolver turns into
every ready member's address and re-resolves after a failure.
*/}}
{{- define "etcron.etcd.endpoints" -}}
{{- if .Values.etcd.bundled.enabled }}
{{- list (printf "%s://%s.%s.svc.%s:2379" (include "etcron.etcd.scheme" .) (include "etcron.etcd.fullname" .) .Release.Namespace .Values.clusterDomain) | toYaml }}
{{- else }}
{{- .Values.etcd.external.endpoints | toYaml }}
{{- end }}
{{- end }}

{{/* The Secret the bundled etcd's server and peer certificate live in. */}}
{{- define "etcron.etcd.serverSecretName" -}}
{{- printf "%s-etcd-server-tls" (include "etcron.fullname" .) }}
{{- end }}

{{/* The Secret etcron's client certificate for the bundled etcd lives in. */}}
{{- define "etcron.etcd.clientSecretName" -}}
{{- printf "%s-etcd-client-tls" (include "etcron.fullname" .) }}
{{- end }}

{{/*
The Secret (and its keys) the operator's etcd TLS files come from, or nothing when etcd is
reached without TLS files: {name, caKey, certKey, keyKey}.
*/}}
{{- define "etcron.etcd.tlsSource" -}}
{{- if .Values.etcd.bundled.enabled }}
{{- if .Values.etcd.bundled.tls.enabled }}
{{- dict "name" (include "etcron.etcd.clientSecretName" .) "caKey" "ca.crt" "certKey" "tls.crt" "keyKey" "tls.key" | toYaml }}
{{- end }}
{{- else if .Values.etcd.external.tls.existingSecret }}
{{- $tls := .Values.etcd.external.tls }}
{{- dict "name" $tls.existingSecret "caKey" $tls.caKey "certKey" $tls.certKey "keyKey" $tls.keyKey | toYaml }}
{{- end }}
{{- end }}

{{/*
The operator's etcd settings (etcd-endpoints, etcd-ca-file, etcd-cert-file, etcd-key-file,
etcd-password-file) as YAML; the user name comes from the environment (its Secret).
*/}}
{{- define "etcron.etcd.settings" -}}
{{- $paths := include "etcron.paths" . | fromYaml }}
{{- $settings := dict "etcd-endpoints" (include "etcron.etcd.endpoints" . | fromYamlArray) }}
{{- $tls := include "etcron.etcd.tlsSource" . | fromYaml }}
{{- if $tls }}
{{- if $tls.caKey }}
{{- $_ := set $settings "etcd-ca-file" (printf "%s/ca.crt" $paths.etcdTLSDir) }}
{{- end }}
{{- if and $tls.certKey $tls.keyKey }}
{{- $_ := set $settings "etcd-cert-file" (printf "%s/tls.crt" $paths.etcdTLSDir) }}
{{- $_ := set $settings "etcd-key-file" (printf "%s/tls.key" $paths.etcdTLSDir) }}
{{- end }}
{{- end }}
{{- if and (not .Values.etcd.bundled.enabled) .Values.etcd.external.auth.existingSecret }}
{{- $_ := set $settings "etcd-password-file" (printf "%s/password" $paths.etcdAuthDir) }}
{{- end }}
{{- toYaml $settings }}
{{- end }}
