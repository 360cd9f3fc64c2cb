// `gpu-hpa-webhook check`: the webhook's mutation and validation, offline, over manifests. Objects are
// taken in order, as `kubectl apply` would send them: each Deployment is mutated then validated, and HPAs
// are judged against the (mutated) Deployments and the HPAs that came before them in the input.
import jsonpatch from 'fast-json-patch';
import type { Decision } from '../core/admission/decision.js';
import type { AdmissionRequest } from '../core/admission/request.js';
import type { AdapterRuleSet } from '../core/adapter/types.js';
import { staticClusterView, type NamespaceObject } from '../core/cluster.js';
import { createEngine } from '../core/engine.js';
import { apiServiceRegistration } from '../core/admission/metric-apis.js';
import { scopeOf } from '../core/admission/scope.js';
import type { Deployment, HorizontalPodAutoscaler } from '../core/k8s-types.js';
import type { Policy } from '../core/policy/schema.js';
import { isSkipped, type ManifestEntry, type ManifestFileError, type SourcedObject } from '../loaders/manifests.js';
import { cloneJson } from '../core/json.js';
import { convertV1Hpa, isV1Hpa } from '../core/hpa-v1.js';

export interface ObjectVerdict {
  source: string;
  kind: string;
  namespace: string;
  name: string;
  /** "allowed" | "denied" | "skipped" (not a Kubernetes object, a kind the webhook does not handle, out of its scope) */
  verdict: 'allowed' | 'denied' | 'skipped';
  /** why it was skipped (verdict "skipped" only) */
  reason?: string;
  violations: Decision['violations'];
  /** violations left out by the bound on a decision (src/core/bounds.ts) */
  omitted?: number;
  warnings: string[];
  /** the mutation the webhook would apply (RFC 6902), empty when none */
  patch: jsonpatch.Operation[];
}

export interface CheckReport {
  /** the adapter config the HPAs were judged against, and what is suspicious in it whatever the HPAs ask (issue 15) */
  adapterConfig: { source: string; warnings: string[] };
  results: ObjectVerdict[];
  /** files that could not be read or decoded, or an input with nothing in it (the CLI exits 2 when there is any) */
  errors?: ManifestFileError[];
  summary: { objects: number; allowed: number; denied: number; skipped: number };
}

function gvk(obj: Record<string, unknown>): { group: string; version: string; kind: string } {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return { group: group ?? '', version: version ?? '', kind: typeof obj.kind === 'string' ? obj.kind : '' };
}

const RESOURCES: Record<string, string> = { Deployment: 'deployments', HorizontalPodAutoscaler: 'horizontalpodautoscalers' };

export function requestFor(obj: Record<string, unknown>, defaultNamespace: string, uid: string): AdmissionRequest {
  const kind = gvk(obj);
  const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  return {
    uid,
    kind,
    resource: { group: kind.group, version: kind.version, resource: RESOURCES[kind.kind] ?? kind.kind.toLowerCase() + 's' },
    name: meta.name,
    namespace: meta.namespace ?? defaultNamespace,
    operation: 'CREATE',
    object: obj,
    dryRun: true,
  };
}

/** Mutate, apply the patch, then validate the result: what the API server does with the two webhooks. */
export function admit(engine: ReturnType<typeof createEngine>, req: AdmissionRequest): { decision: Decision; final: unknown; patch: jsonpatch.Operation[] } {
  const m = engine.mutate(req);
  if (!m.allowed) return { decision: m, final: req.object, patch: [] };
  const patch = m.patch ?? [];
  const final = patch.length > 0 ? jsonpatch.applyPatch(cloneJson(req.object), patch, false, false).newDocument : req.object;
  const v = engine.validate({ ...req, object: final });
  return { decision: { ...v, warnings: [...m.warnings, ...v.warnings] }, final, patch };
}

const NOT_HANDLED = 'not a Deployment or HorizontalPodAutoscaler: the webhook lets it through';

/** A name or namespace as the report shows it: the string, or a placeholder for a missing or non-string value. */
function shown(v: unknown, missing: string): string {
  return typeof v === 'string' && v !== '' ? v : missing;
}

export function runCheck(entries: ManifestEntry[], policy: Policy, rules: AdapterRuleSet, defaultNamespace = 'default'): CheckReport {
  const objects = entries.filter((e): e is SourcedObject => !isSkipped(e));
  const deployments: Deployment[] = [];
  const hpas: HorizontalPodAutoscaler[] = [];
  // Namespaces among the manifests give their labels (profiles limited by namespaceSelector); a namespace
  // not given is unknown offline, and such a profile is allowed with a warning (README "Policy").
  const namespaces = objects.filter((o) => o.object.kind === 'Namespace' && o.object.apiVersion === 'v1').map((o) => o.object as NamespaceObject);
  // APIServices among the manifests say who serves the metrics APIs (admission/metric-apis.ts); a group none names is unknown offline
  const apiServices = objects.filter((o) => o.object.kind === 'APIService').flatMap((o) => apiServiceRegistration(o.object) ?? []);
  const cluster = staticClusterView({ deployments, hpas, namespaces, apiServices }); // filled as we go: later objects see earlier ones
  const engine = createEngine({ policy, rules, cluster, strictDecoding: true });
  const results: ObjectVerdict[] = [];
  for (const e of entries) {
    if (isSkipped(e)) results.push({ source: e.source, kind: '(no kind)', namespace: '', name: '', verdict: 'skipped', reason: e.reason, violations: [], warnings: [], patch: [] });
  }

  // Deployments first: an HPA is judged against its target wherever the target sits in the input.
  const ordered = [...objects.filter((o) => o.object.kind === 'Deployment'), ...objects.filter((o) => o.object.kind !== 'Deployment')];
  ordered.forEach((o, i) => {
    // autoscaling/v1 is judged as the autoscaling/v2 object the API server would store (src/core/hpa-v1.ts)
    const converted = isV1Hpa(o.object) ? convertV1Hpa(o.object) : undefined;
    const req = requestFor(converted ? converted.hpa : o.object, defaultNamespace, `check-${i}`);
    const conversionNotes = converted ? ['autoscaling/v1 judged as the autoscaling/v2 object the API server stores', ...converted.notes] : [];
    const base = { source: o.source, kind: req.kind.kind || '(no kind)', namespace: shown(req.namespace, defaultNamespace), name: shown(req.name, '(unnamed)') };
    const scope = scopeOf(req); // the server's gate too (serve)
    if (!scope.decide) {
      const reason = scope.skipped === 'kind not handled' ? NOT_HANDLED : `${scope.skipped}: not checked`;
      results.push({ ...base, verdict: 'skipped', reason, violations: [], warnings: scope.warnings, patch: [] });
      return;
    }
    const { decision, final, patch } = admit(engine, req);
    const stored = { ...(final as Record<string, unknown>) };
    stored.metadata = { ...(stored.metadata ?? {}), namespace: req.namespace };
    if (decision.allowed) {
      if (req.kind.kind === 'Deployment') deployments.push(stored);
      else hpas.push(stored);
    }
    const omitted = decision.omitted ? { omitted: decision.omitted } : {};
    if (decision.skipped !== undefined) {
      results.push({ ...base, verdict: 'skipped', reason: decision.skipped.message, violations: [], warnings: [...conversionNotes, ...decision.warnings], patch });
      return;
    }
    results.push({ ...base, verdict: decision.allowed ? 'allowed' : 'denied', violations: decision.violations, ...omitted, warnings: [...conversionNotes, ...decision.warnings], patch });
  });
  // Report in input order.
  const order = new Map(entries.map((o, i) => [o.source, i]));
  results.sort((a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0));
  const count = (v: ObjectVerdict['verdict']) => results.filter((r) => r.verdict === v).length;
  return {
    adapterConfig: { source: rules.source, warnings: [...(rules.warnings ?? [])] },
    results,
    summary: { objects: results.length, allowed: count('allowed'), denied: count('denied'), skipped: count('skipped') },
  };
}

/** The `file` of the error an input without any document carries (the CLI exits 2: a usage error). */
export const NO_INPUT = '(input)';

/** The usage error for an input with no document at all (empty files, directories without manifests), or undefined. */
export function emptyInput(paths: string[], read: { entries: unknown[]; errors: unknown[] }): ManifestFileError | undefined {
  if (read.entries.length > 0 || read.errors.length > 0) return undefined;
  return {
    file: NO_INPUT,
    message: `nothing to check in ${paths.join(', ')}: no YAML or JSON document (empty files, or directories without *.yaml, *.yml or *.json); give the manifests to check with -f`,
  };
}

function describeOp(op: jsonpatch.Operation): string {
  const value = 'value' in op ? ` ${JSON.stringify(op.value)}` : '';
  const shown = value.length > 90 ? `${value.slice(0, 87)}…` : value;
  return `${op.op} ${op.path}${shown}`;
}

export function formatCheckText(report: CheckReport, color = false): string {
  const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const adapter = report.adapterConfig;
  if (adapter.warnings.length > 0) {
    lines.push(`${paint(33, 'WARNING')} prometheus-adapter config ${adapter.source}`);
    for (const w of adapter.warnings) lines.push(`  ! ${w}`);
  }
  for (const r of report.results) {
    const tag = r.verdict === 'allowed' ? paint(32, 'ALLOWED') : r.verdict === 'denied' ? paint(31, 'DENIED ') : paint(90, 'SKIPPED');
    lines.push(r.kind === '(no kind)' ? `${tag} ${r.source}` : `${tag} ${r.kind} ${r.namespace}/${r.name}  (${r.source})`);
    for (const v of r.violations) lines.push(`  ✗ [${v.reason}] ${v.message}`);
    if (r.omitted) lines.push(`  ✗ … and ${r.omitted.toLocaleString('en-US')} more problems not shown`);
    for (const w of r.warnings) lines.push(`  ! ${w}`);
    for (const op of r.patch) lines.push(`  + ${describeOp(op)}`);
    if (r.verdict === 'skipped' && r.reason !== undefined) lines.push(`  (${r.reason})`);
  }
  const errors = report.errors ?? [];
  for (const e of errors) lines.push(`${paint(31, 'ERROR  ')} ${e.message.startsWith(e.file) ? e.message : `${e.file}: ${e.message}`}`);
  const s = report.summary;
  const unread = errors.filter((e) => e.file !== NO_INPUT).length;
  lines.push(
    '',
    `${s.objects} object${s.objects === 1 ? '' : 's'}: ${s.allowed} allowed, ${s.denied} denied, ${s.skipped} skipped` +
      (unread > 0 ? `; ${unread} file${unread === 1 ? '' : 's'} could not be read` : ''),
  );
  return lines.join('\n');
}
