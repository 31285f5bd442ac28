{{/* Addresses derived from the values: the public URL, its base path, the routes' prefix, Redis. */}}

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

{{/* The Secret of the external Redis's CA, when it has one (its url must then be rediss://). */}}
{{- define "memo.redisCaSecret" -}}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.tls.caSecret -}}
{{- if not (hasPrefix "rediss://" .Values.externalRedis.url) -}}
{{- fail "externalRedis.tls.caSecret is set: externalRedis.url must be a rediss:// URL" -}}
{{- end -}}
{{- .Values.externalRedis.tls.caSecret -}}
{{- end -}}
{{- end -}}

{{- define "memo.redisUrl" -}}
{{- if .Values.redis.enabled -}}
{{- printf "redis://%s-redis:6379" (include "memo.fullname" .) -}}
{{- else -}}
{{- required "externalRedis.url is required when redis.enabled is false" .Values.externalRedis.url -}}
{{- end -}}
{{- end -}}
