{{/* The chart's name, e.g. "wordpress". */}}
{{- define "wordpress.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The objects' name: the release's name, followed by the chart's unless it already holds it
("wordpress-1" stays "wordpress-1", "blog" gives "blog-wordpress"). 63 characters at most:
a DNS label.
*/}}
{{- define "wordpress.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* The name the mariadb dependency gives its objects (its Service, its Secret). */}}
{{- define "wordpress.mariadb.fullname" -}}
{{- if contains "mariadb" .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-mariadb" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* The labels of the selector: stable across upgrades. */}}
{{- define "wordpress.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wordpress.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Every object's labels (the recommended app.kubernetes.io/* set). */}}
{{- define "wordpress.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "wordpress.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
