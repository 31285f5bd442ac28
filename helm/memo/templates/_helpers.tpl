{{/* Names and labels, defined once. */}}

{{- define "memo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "memo.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "memo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "auth") */}}
{{- define "memo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "memo.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "memo.labels" -}}
helm.sh/chart: {{ include "memo.chart" .root }}
{{ include "memo.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: memo
{{- end -}}

{{/* The services the chart runs, by their values key. */}}
{{- define "memo.components" -}}
{{- $list := list "auth" "memo" "web" -}}
{{- if .Values.naverStub.enabled -}}{{- $list = append $list "naverStub" -}}{{- end -}}
{{- toJson $list -}}
{{- end -}}

{{/* A component's name in resource names and labels: auth, memo, web, naver-stub. */}}
{{- define "memo.componentName" -}}
{{- . | kebabcase -}}
{{- end -}}

{{/* Image reference: (dict "root" $ "image" .Values.auth.image) */}}
{{- define "memo.image" -}}
{{- $registry := .root.Values.image.registry -}}
{{- $tag := .image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $registry) .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The public URL, always ending in "/". */}}
{{- define "memo.publicUrl" -}}
{{- $url := .Values.publicUrl -}}
{{- if not $url -}}
{{- $url = printf "%s://%s/" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host -}}
{{- end -}}
{{- if hasSuffix "/" $url -}}{{ $url }}{{- else -}}{{ printf "%s/" $url }}{{- end -}}
{{- end -}}

{{/* The public URL's path, always ending in "/" ("/" or e.g. "/memos/"): every route is under it. */}}
{{- define "memo.basePath" -}}
{{- $path := (urlParse (include "memo.publicUrl" .)).path | default "/" -}}
{{- if hasSuffix "/" $path -}}{{ $path }}{{- else -}}{{ printf "%s/" $path }}{{- end -}}
{{- end -}}

{{/* The same without its trailing slash ("" at the root): the prefix of every route. */}}
{{- define "memo.routePrefix" -}}
{{- trimSuffix "/" (include "memo.basePath" .) -}}
{{- end -}}

{{- define "memo.redisUrl" -}}
{{- if .Values.redis.enabled -}}
{{- printf "redis://%s-redis:6379" (include "memo.fullname" .) -}}
{{- else -}}
{{- required "externalRedis.url is required when redis.enabled is false" .Values.externalRedis.url -}}
{{- end -}}
{{- end -}}

{{- define "memo.redisSecretName" -}}
{{- if .Values.redis.enabled -}}
{{- .Values.redis.existingSecret | default (printf "%s-redis" (include "memo.fullname" .)) -}}
{{- else -}}
{{- .Values.externalRedis.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "memo.redisSecretKey" -}}
{{- if .Values.redis.enabled -}}
{{- ternary .Values.redis.existingSecretKey "redis-password" (ne .Values.redis.existingSecret "") -}}
{{- else -}}
{{- .Values.externalRedis.existingSecretKey -}}
{{- end -}}
{{- end -}}

{{- define "memo.sessionSecretName" -}}
{{- .Values.session.existingSecret | default (printf "%s-session" (include "memo.fullname" .)) -}}
{{- end -}}

{{- define "memo.naverSecretName" -}}
{{- .Values.naver.existingSecret | default (printf "%s-naver" (include "memo.fullname" .)) -}}
{{- end -}}

{{/* Environment every service shares. */}}
{{- define "memo.env.common" -}}
- name: HOST
  value: "0.0.0.0"
- name: PORT
  value: "8080"
- name: ADMIN_PORT
  value: "9090"
- name: LOG_LEVEL
  value: {{ .Values.pods.logLevel | quote }}
- name: TRUST_PROXY
  value: {{ .Values.pods.trustProxy | quote }}
{{- end -}}

{{/*
A Kubernetes memory quantity ("256Mi", "1Gi", "512M", "268435456") in bytes. Fails the render
on anything else, so that maxmemory is never derived from a misread limit.
*/}}
{{- define "memo.quantityBytes" -}}
{{- if or (kindIs "float64" .) (kindIs "int64" .) (kindIs "int" .) -}}
{{- int64 . -}}
{{- else -}}
{{- $q := toString . -}}
{{- $units := dict "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $unit := trimPrefix $number $q -}}
{{- if or (not $number) (and $unit (not (hasKey $units $unit))) -}}
{{- fail (printf "memory quantity %q: use a number with Ki, Mi, Gi, Ti, k, M, G or T" $q) -}}
{{- end -}}
{{- mulf (float64 $number) (ternary (get $units $unit) 1 (ne $unit "")) | floor | int64 -}}
{{- end -}}
{{- end -}}

{{/*
Redis's maxmemory: a share of its container's memory limit, so that a full Redis refuses
writes (noeviction) before the kernel kills it. Derived, never a second number to keep in step.
*/}}
{{- define "memo.redisMaxmemory" -}}
{{- $limit := dig "limits" "memory" "" .Values.redis.resources -}}
{{- if not $limit -}}
{{- fail "redis.resources.limits.memory is required: Redis's maxmemory is derived from it" -}}
{{- end -}}
{{- div (mul (include "memo.quantityBytes" $limit | int64) (int64 .Values.redis.maxmemoryPercent)) 100 -}}
{{- end -}}

{{- define "memo.env.redis" -}}
- name: REDIS_URL
  value: {{ include "memo.redisUrl" . | quote }}
{{- if include "memo.redisSecretName" . }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "memo.redisSecretName" . }}
      key: {{ include "memo.redisSecretKey" . }}
{{- end }}
{{- end -}}

{{- define "memo.env.auth" -}}
{{ include "memo.env.common" . }}
{{ include "memo.env.redis" . }}
- name: PUBLIC_URL
  value: {{ include "memo.publicUrl" . | quote }}
- name: SESSION_PRIVATE_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "memo.sessionSecretName" . }}
      key: private-key
- name: SESSION_TTL_SECONDS
  value: {{ .Values.auth.sessionTtlSeconds | quote }}
- name: SESSION_MAX_PER_USER
  value: {{ .Values.auth.sessionMaxPerUser | quote }}
- name: AOF_REWRITE_INTERVAL_SECONDS
  value: {{ .Values.privacy.aofRewriteIntervalSeconds | quote }}
- name: NAVER_UNLINK_ACTION
  value: {{ .Values.naver.unlinkAction | quote }}
- name: LOGIN_RATE_LIMIT
  value: {{ .Values.auth.loginRateLimit | quote }}
- name: LOGIN_STATE_MAX
  value: {{ .Values.auth.loginStateMax | quote }}
- name: NAVER_CLIENT_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "memo.naverSecretName" . }}
      key: client-id
- name: NAVER_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "memo.naverSecretName" . }}
      key: client-secret
{{- if .Values.naverStub.enabled }}
- name: NAVER_AUTHORIZE_URL
  value: {{ printf "%s_naver/oauth2.0/authorize" (include "memo.publicUrl" .) | quote }}
- name: NAVER_TOKEN_URL
  value: {{ printf "http://%s-naver-stub:8080/oauth2.0/token" (include "memo.fullname" .) | quote }}
- name: NAVER_PROFILE_URL
  value: {{ printf "http://%s-naver-stub:8080/v1/nid/me" (include "memo.fullname" .) | quote }}
- name: NAVER_REVOKE_URL
  value: {{ printf "http://%s-naver-stub:8080/oauth2.0/revoke" (include "memo.fullname" .) | quote }}
{{- else }}
- name: NAVER_AUTHORIZE_URL
  value: {{ .Values.naver.authorizeUrl | quote }}
- name: NAVER_TOKEN_URL
  value: {{ .Values.naver.tokenUrl | quote }}
- name: NAVER_PROFILE_URL
  value: {{ .Values.naver.profileUrl | quote }}
- name: NAVER_REVOKE_URL
  value: {{ .Values.naver.revokeUrl | quote }}
{{- end }}
- name: NAVER_TIMEOUT_MS
  value: {{ .Values.naver.timeoutMs | quote }}
{{- with .Values.auth.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "memo.env.memo" -}}
{{ include "memo.env.common" . }}
{{ include "memo.env.redis" . }}
- name: SESSION_JWKS_URL
  value: {{ printf "http://%s-auth:8080/jwks.json" (include "memo.fullname" .) | quote }}
- name: MEMO_MAX_LENGTH
  value: {{ .Values.memo.maxLength | quote }}
- name: MEMO_MAX_COUNT
  value: {{ .Values.memo.quota.memos | quote }}
- name: MEMO_MAX_BYTES
  value: {{ .Values.memo.quota.bytes | quote }}
- name: PAGE_DEFAULT
  value: {{ .Values.memo.pageDefault | quote }}
- name: PAGE_MAX
  value: {{ .Values.memo.pageMax | quote }}
{{- with .Values.memo.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "memo.env.web" -}}
{{ include "memo.env.common" . }}
{{- if and (not .Values.naverStub.enabled) (not .Values.privacy.contact) }}
{{- fail "privacy.contact (the operator's contact for the privacy notice) is required unless naverStub.enabled" }}
{{- end }}
- name: PRIVACY_CONTACT
  value: {{ .Values.privacy.contact | default "memo stand-in mode (no operator)" | quote }}
- name: AOF_REWRITE_INTERVAL_SECONDS
  value: {{ .Values.privacy.aofRewriteIntervalSeconds | quote }}
{{- with .Values.web.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "memo.env.naverStub" -}}
{{ include "memo.env.common" . }}
- name: NAVER_STUB_CLIENT_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "memo.naverSecretName" . }}
      key: client-id
- name: NAVER_STUB_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "memo.naverSecretName" . }}
      key: client-secret
- name: NAVER_STUB_UNLINK_URL
  value: {{ printf "http://%s-auth:8080/naver/unlink" (include "memo.fullname" .) | quote }}
{{- end -}}

{{/* The hardened container security context every memo container uses. */}}
{{- define "memo.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
