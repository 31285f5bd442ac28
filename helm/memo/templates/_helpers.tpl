{{/* Names and labels, defined once: what every object of the chart is called and wears. */}}

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
{{- $name := ternary (printf "%s/%s" (trimSuffix "/" $registry) .image.repository) .image.repository (ne $registry "") -}}
{{- if .image.digest -}}
{{- printf "%s:%s@%s" $name $tag .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $name $tag -}}
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

{{/*
Where a service's Redis password is, and under which Redis user it connects: (dict "root" $
"service" "memo"|"auth") → {"username", "secret", "key"} as JSON. The chart's Redis: the
service's own user (files/redis-users.acl); an external one: externalRedis.users, or its one
password as Redis's default user.
*/}}
{{- define "memo.redisLogin" -}}
{{- $v := .root.Values -}}
{{- $user := printf "%s-service" .service -}}
{{- if $v.redis.enabled -}}
{{- dict "username" $user "secret" (include "memo.redisSecretName" .root) "key" (printf "%s-password" $user) | toJson -}}
{{- else -}}
{{- $u := index $v.externalRedis.users .service -}}
{{- if $u.username -}}
{{- dict "username" $u.username "secret" $v.externalRedis.existingSecret "key" $u.existingSecretKey | toJson -}}
{{- else -}}
{{- dict "username" "" "secret" $v.externalRedis.existingSecret "key" $v.externalRedis.existingSecretKey | toJson -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The chart's Redis users as redis-server arguments: `default` off, `admin` (probes, backups,
operators: everything), and each service's user with its rules from files/redis-users.acl
and its password from the environment ($(MEMO_SERVICE_PASSWORD), …).
*/}}
{{- define "memo.redisUserArgs" -}}
{{- $users := dict -}}
{{- $order := list -}}
{{- range .Files.Lines "files/redis-users.acl" -}}
{{- $line := trim . -}}
{{- if and $line (not (hasPrefix "#" $line)) -}}
{{- $words := regexSplit "\\s+" $line -1 -}}
{{- $name := first $words -}}
{{- if not (hasKey $users $name) -}}
{{- $order = append $order $name -}}
{{- $_ := set $users $name list -}}
{{- end -}}
{{- $_ := set $users $name (concat (get $users $name) (rest $words)) -}}
{{- end -}}
{{- end -}}
{{- /*
default is off, so no connection can use it; but it keeps every permission: replaying the
append-only file, Redis 7 and Valkey 8 check each MULTI/EXEC (how a script's writes are kept)
against the default user and drop, silently, the ones it may not run (redis/redis#14541 and
valkey-io/valkey#3984, fixed upstream after the versions we run): a restart would lose every
memo a script wrote (test/k8s/redis-users.test.ts restarts one).
*/ -}}
- --user
- default
- "off"
- "~*"
- "&*"
- +@all
- --user
- admin
- "on"
- ">$(REDIS_PASSWORD)"
- "~*"
- "&*"
- +@all
{{- range $order }}
- --user
- {{ . }}
- "on"
- {{ printf ">$(%s)" (include "memo.redisPasswordEnv" .) | quote }}
{{- range get $users . }}
- {{ . | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The image's command-line client: valkey-cli in a Valkey image, redis-cli in a Redis one. */}}
{{- define "memo.redisCli" -}}
{{- ternary "valkey-cli" "redis-cli" (contains "valkey" .Values.redis.image.repository) -}}
{{- end -}}

{{/* The environment variable of the Redis StatefulSet holding a service user's password. */}}
{{- define "memo.redisPasswordEnv" -}}
{{- printf "%s_PASSWORD" (. | upper | replace "-" "_") -}}
{{- end -}}

{{- define "memo.sessionSecretName" -}}
{{- .Values.session.existingSecret | default (printf "%s-session" (include "memo.fullname" .)) -}}
{{- end -}}

{{- define "memo.naverSecretName" -}}
{{- .Values.naver.existingSecret | default (printf "%s-naver" (include "memo.fullname" .)) -}}
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
