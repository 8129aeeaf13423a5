{{/* The objects' name: the release's, when it already says nodescope (helm install nodescope). */}}
{{- define "nodescope.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object and the DaemonSet's selector (immutable: nothing that changes). */}}
{{- define "nodescope.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* OTEL_RESOURCE_ATTRIBUTES from the resourceAttributes map: key=value pairs, sorted by key. */}}
{{- define "nodescope.resourceAttributes" -}}
{{- $pairs := list -}}
{{- range $key, $value := .Values.resourceAttributes -}}
{{- $pairs = append $pairs (printf "%s=%v" $key $value) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}

{{/* Where the OTLP CA certificate Secret is mounted. */}}
{{- define "nodescope.certificateDir" -}}
/etc/nodescope/otlp-certificate
{{- end -}}
