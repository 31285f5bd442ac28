{{/* Memory arithmetic: Kubernetes quantities in bytes, and Redis's maxmemory from its limit. */}}

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
