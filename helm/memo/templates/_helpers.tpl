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
{{- if $registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $registry) .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
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
