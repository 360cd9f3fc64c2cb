// Which requests the Engine decides: the one gate, called by the server (`serve`), by `check` and by
// the Engine itself, so the three cannot disagree. In scope: CREATE and UPDATE of the main resource of
// apps/v1 Deployments and autoscaling/v2 HorizontalPodAutoscalers. Everything else is allowed without
// a patch: the webhook configurations should not send it, and when a misconfigured one does, failing
// it would block unrelated changes.
//
// Versions: with matchPolicy: Equivalent (the default, and what manifests/ registers) the API server
// converts a request for another version of a registered resource to the registered one before calling
// the webhook (k8s.io/apiserver/pkg/admission/plugin/webhook/generic/webhook.go, ConvertToGVK), so an
// apps/v1beta2 Deployment or an autoscaling/v1 HPA only arrives when a configuration says matchPolicy:
// Exact. Such a request is out of scope, with one warning saying it was not checked.
import type { AdmissionRequest, GroupVersionKind } from './request.js';

export type ScopedKind = 'Deployment' | 'HorizontalPodAutoscaler';

export type Scope = { decide: true; kind: ScopedKind } | { decide: false; skipped: string; warnings: string[] };

const SERVED: Record<ScopedKind, { group: string; version: string }> = {
  Deployment: { group: 'apps', version: 'v1' },
  HorizontalPodAutoscaler: { group: 'autoscaling', version: 'v2' },
};

function scopedKind(kind: GroupVersionKind): ScopedKind | undefined {
  return kind.kind === 'Deployment' || kind.kind === 'HorizontalPodAutoscaler' ? kind.kind : undefined;
}

/** Whether the Engine decides this request, and why not when it does not. */
export function scopeOf(req: Pick<AdmissionRequest, 'kind' | 'operation' | 'subResource'>): Scope {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return { decide: false, skipped: `operation ${req.operation}`, warnings: [] };
  if (req.subResource) return { decide: false, skipped: `subresource ${req.subResource}`, warnings: [] }; // scale/status writes carry no spec we judge
  const k = req.kind;
  const kind = scopedKind(k);
  const served = kind && SERVED[kind];
  if (!kind || !served || k.group !== served.group) return { decide: false, skipped: 'kind not handled', warnings: [] };
  if (k.version !== served.version) {
    const want = `${served.group}/${served.version}`;
    return {
      decide: false,
      skipped: 'version not handled',
      warnings: [`gpu-hpa-webhook: ${k.group}/${k.version} ${k.kind} not checked; it handles ${want} (use matchPolicy: Equivalent)`],
    };
  }
  return { decide: true, kind };
}
