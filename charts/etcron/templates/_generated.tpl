{{/*
Material the chart generates at install and keeps across upgrades: the bundled etcd's CA
and certificates, and the API token.

Each is read back from its Secret with `lookup` when a previous install created it, and
generated otherwise. Generation happens once per render: the result is memoised on the
root values (under _etcronGenerated, a key no user sets; the schema is checked before
rendering), so the Secret and the checksum annotation of the pods that use it see the same
material. Under `helm template` and `helm lint` lookup finds nothing, so the material is
new on every render there.
*/}}

{{/* The memo dict. */}}
{{- define "etcron.generated.memo" -}}
{{- if not (hasKey .Values "_etcronGenerated") }}
{{- $_ := set .Values "_etcronGenerated" dict }}
{{- end }}
{{- end }}

{{/*
The bundled etcd's TLS material as JSON (lossless, unlike a YAML round trip): ca.crt, server.crt, server.key (serving and peer
certificate of every member), client.crt, client.key (etcron's client certificate).
*/}}
{{- define "etcron.etcd.tlsMaterial" -}}
{{- include "etcron.generated.memo" . }}
{{- $memo := .Values._etcronGenerated }}
{{- if not (hasKey $memo "etcdTLS") }}
{{- $server := lookup "v1" "Secret" .Release.Namespace (include "etcron.etcd.serverSecretName" .) }}
{{- $client := lookup "v1" "Secret" .Release.Namespace (include "etcron.etcd.clientSecretName" .) }}
{{- $material := dict }}
{{- if and $server $client $server.data $client.data (index $server.data "tls.crt") (index $client.data "tls.crt") }}
{{- $_ := set $material "ca.crt" (index $server.data "ca.crt" | b64dec) }}
{{- $_ := set $material "server.crt" (index $server.data "tls.crt" | b64dec) }}
{{- $_ := set $material "server.key" (index $server.data "tls.key" | b64dec) }}
{{- $_ := set $material "client.crt" (index $client.data "tls.crt" | b64dec) }}
{{- $_ := set $material "client.key" (index $client.data "tls.key" | b64dec) }}
{{- else }}
{{- $days := .Values.etcd.bundled.tls.validityDays | int }}
{{- $ca := genCA (printf "%s-etcd-ca" (include "etcron.fullname" .)) $days }}
{{- $etcd := include "etcron.etcd.fullname" . }}
{{- $headless := include "etcron.etcd.headlessName" . }}
{{- $namespace := .Release.Namespace }}
{{- $domain := .Values.clusterDomain }}
{{- $names := list "localhost" }}
{{- range $service := list $etcd $headless }}
{{- $names = concat $names (list $service (printf "%s.%s" $service $namespace) (printf "%s.%s.svc" $service $namespace) (printf "%s.%s.svc.%s" $service $namespace $domain)) }}
{{- end }}
{{- $names = concat $names (list (printf "*.%s.%s.svc" $headless $namespace) (printf "*.%s.%s.svc.%s" $headless $namespace $domain)) }}
{{- /* Each member by name too: etcd checks a peer's client certificate by resolving its
       names (a wildcard cannot be resolved). */}}
{{- range $index := until (.Values.etcd.bundled.replicaCount | int) }}
{{- $names = append $names (include "etcron.etcd.memberHost" (list $ $index)) }}
{{- end }}
{{- $serverPair := genSignedCert $etcd (list "127.0.0.1" "::1") $names $days $ca }}
{{- /* No subject alternative names: etcd then accepts the client certificate from any
       address (it checks the names of a certificate that has some against the peer). */}}
{{- $clientPair := genSignedCert "etcron" (list) (list) $days $ca }}
{{- $_ := set $material "ca.crt" $ca.Cert }}
{{- $_ := set $material "server.crt" $serverPair.Cert }}
{{- $_ := set $material "server.key" $serverPair.Key }}
{{- $_ := set $material "client.crt" $clientPair.Cert }}
{{- $_ := set $material "client.key" $clientPair.Key }}
{{- end }}
{{- $_ := set $memo "etcdTLS" $material }}
{{- end }}
{{- index $memo "etcdTLS" | toJson }}
{{- end }}

{{/* The Secret the API tokens come from. */}}
{{- define "etcron.apiTokens.secretName" -}}
{{- default (printf "%s-api-tokens" (include "etcron.fullname" .)) .Values.api.tokens.existingSecret }}
{{- end }}

{{/* The generated admin token: from the existing generated Secret, or new. */}}
{{- define "etcron.apiTokens.adminToken" -}}
{{- include "etcron.generated.memo" . }}
{{- $memo := .Values._etcronGenerated }}
{{- if not (hasKey $memo "adminToken") }}
{{- $secret := lookup "v1" "Secret" .Release.Namespace (include "etcron.apiTokens.secretName" .) }}
{{- $token := "" }}
{{- if and $secret $secret.data (index $secret.data "admin-token") }}
{{- $token = index $secret.data "admin-token" | b64dec }}
{{- else }}
{{- $token = randAlphaNum 48 }}
{{- end }}
{{- $_ := set $memo "adminToken" $token }}
{{- end }}
{{- index $memo "adminToken" }}
{{- end }}
