{{/* Labels every object carries (kustomize's `labels` in manifests/kustomization.yaml adds part-of). */}}
{{- define "gpu-hpa-webhook.labels" -}}
app.kubernetes.io/name: {{ .Values.name }}
app.kubernetes.io/part-of: {{ .Values.name }}
{{- end }}

{{- define "gpu-hpa-webhook.selector" -}}
app.kubernetes.io/name: {{ .Values.name }}
app.kubernetes.io/component: webhook
{{- end }}

{{/* The policy file: values.policy or the chart's copy of policies/default.yaml. */}}
{{- define "gpu-hpa-webhook.policy" -}}
{{- .Values.policy | default (.Files.Get "files/policy.yaml") }}
{{- end }}

{{/* Namespaces the webhooks skip: the configured ones and the install's own. */}}
{{- define "gpu-hpa-webhook.namespaceSelector" -}}
namespaceSelector:
  matchExpressions:
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values: {{ concat .Values.excludeNamespaces (list .Values.namespace) | uniq | toJson }}
{{- end }}

{{- define "gpu-hpa-webhook.clientConfig" -}}
clientConfig:
  service:
    name: {{ .Values.name }}
    namespace: {{ .Values.namespace }}
    path: {{ .path }}
    port: 443
  {{- if and (eq .Values.certificates.mode "secret") .Values.certificates.caBundle }}
  caBundle: {{ .Values.certificates.caBundle }}
  {{- end }}
{{- end }}

{{/* cert-manager's CA injector reads it; harmless without cert-manager (kustomize's base has it too). */}}
{{- define "gpu-hpa-webhook.annotations" -}}
annotations:
  cert-manager.io/inject-ca-from: {{ .Values.namespace }}/{{ .Values.certificates.secretName }}
{{- end }}
