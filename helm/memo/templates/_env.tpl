{{/* Each service's environment, as its config.ts reads it (the README's table). */}}

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

{{/* (dict "root" $ "service" "memo"|"auth"): where Redis is, and as whom the service connects. */}}
{{- define "memo.env.redis" -}}
{{- $login := include "memo.redisLogin" . | fromJson -}}
{{- with .root }}
- name: REDIS_URL
  value: {{ include "memo.redisUrl" . | quote }}
{{- if and (not .Values.redis.enabled) (eq .Values.externalRedis.mode "cluster") }}
- name: REDIS_CLUSTER
  value: "true"
{{- end }}
{{- if include "memo.redisCaSecret" . }}
- name: REDIS_CA_FILE
  value: {{ printf "/etc/memo/redis-ca/%s" .Values.externalRedis.tls.caKey | quote }}
{{- end }}
{{- if $login.username }}
- name: REDIS_USERNAME
  value: {{ $login.username | quote }}
{{- end }}
{{- if $login.secret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $login.secret }}
      key: {{ $login.key }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "memo.env.auth" -}}
{{ include "memo.env.common" . }}
{{ include "memo.env.redis" (dict "root" . "service" "auth") }}
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
{{ include "memo.env.redis" (dict "root" . "service" "memo") }}
- name: SESSION_JWKS_URL
  value: {{ printf "http://%s-auth:8080/jwks.json" (include "memo.fullname" .) | quote }}
- name: MEMO_MAX_LENGTH
  value: {{ .Values.memo.maxLength | quote }}
- name: MEMO_MAX_COUNT
  value: {{ .Values.memo.quota.memos | quote }}
- name: MEMO_MAX_BYTES
  value: {{ .Values.memo.quota.bytes | quote }}
- name: TRASH_DAYS
  value: {{ .Values.memo.trashDays | quote }}
- name: HISTORY_VERSIONS
  value: {{ .Values.memo.historyVersions | quote }}
- name: SHARING
  value: {{ .Values.memo.sharing | quote }}
- name: SHARE_MAX
  value: {{ .Values.memo.shareMax | quote }}
- name: SHARE_OPEN_RATE_LIMIT
  value: {{ .Values.memo.shareOpensPerMinute | quote }}
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
- name: TRASH_DAYS
  value: {{ .Values.memo.trashDays | quote }}
- name: HISTORY_VERSIONS
  value: {{ .Values.memo.historyVersions | quote }}
- name: SHARING
  value: {{ .Values.memo.sharing | quote }}
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
