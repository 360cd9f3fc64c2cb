// `gpu-hpa-webhook audit --kubeconfig K`: every HPA and opted-in Deployment of the cluster with the verdict
// the webhook would give its next write under enforcement deny, grouped by reason (core/audit.ts), through
// the same engine and the same cluster cache (controller/informers.ts) as the running webhook.
import { CoreV1Api } from '@kubernetes/client-node';
import type { AdapterRuleSet } from '../core/adapter/types.js';
import { auditCluster, enforcedPolicy, type AuditGroup, type AuditReport } from '../core/audit.js';
import { createEngine } from '../core/engine.js';
import type { Deployment, HorizontalPodAutoscaler } from '../core/k8s-types.js';
import type { Policy } from '../core/policy/schema.js';
import { configMapLabel, parseConfigMapRef } from '../controller/adapter-configmap.js';
import { ClusterCache } from '../controller/informers.js';
import { apiMessage, httpStatus, loadKubeConfig } from '../controller/kube.js';
import { compileAdapterRulesText } from '../loaders/adapter-rules.js';

/** What the shipped install reads (manifests/deployment.yaml ADAPTER_CONFIGMAP). */
export const DEFAULT_AUDIT_CONFIGMAP = 'monitoring/prometheus-adapter';

/** A problem the user fixes (a flag, an unreachable cluster, a missing ConfigMap): exit 2. */
export class AuditError extends Error {
  override name = 'AuditError';
}

export interface AuditOptions {
  kubeconfig: string;
  policy: Policy;
  /** rules from --adapter-config; else read from the ConfigMap */
  rules?: AdapterRuleSet;
  adapterConfigmap?: string;
  /** how long to wait for the first lists (ms) */
  timeoutMs?: number;
}

export interface AuditResult extends AuditReport {
  cluster: string;
  rules: string;
}

/** The adapter rules from a ConfigMap, read once. */
async function rulesFromConfigMap(o: AuditOptions): Promise<AdapterRuleSet> {
  const given = o.adapterConfigmap !== undefined;
  let ref;
  try {
    ref = parseConfigMapRef(o.adapterConfigmap ?? DEFAULT_AUDIT_CONFIGMAP);
  } catch (e) {
    throw new AuditError((e as Error).message);
  }
  const label = configMapLabel(ref);
  const kc = loadKubeConfig(o.kubeconfig);
  let text: string | undefined;
  try {
    const cm = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: ref.namespace, name: ref.name });
    text = cm.data?.[ref.key];
  } catch (e) {
    const hint = given ? '' : ' (the default, where the prometheus-community chart puts it): give --adapter-configmap NAMESPACE/NAME[:KEY] or --adapter-config FILE';
    throw new AuditError(`${label}: ${httpStatus(e) === 404 ? 'not found' : apiMessage(e)}${hint}`);
  }
  if (text === undefined) throw new AuditError(`${label}: no such key in the ConfigMap; name the key: --adapter-configmap ${ref.namespace}/${ref.name}:KEY`);
  return compileAdapterRulesText(text, label);
}

export async function runAudit(o: AuditOptions): Promise<AuditResult> {
  const kc = loadKubeConfig(o.kubeconfig);
  const rules = o.rules ?? (await rulesFromConfigMap(o));
  const cache = new ClusterCache(kc);
  const timeoutMs = o.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const s = cache.syncStatus();
      reject(new AuditError(`the API server did not list ${s.waitingFor.join(', ') || 'namespaces'} within ${timeoutMs / 1000}s${s.lastError ? `: ${s.lastError}` : ''}`));
    }, timeoutMs);
  });
  try {
    await Promise.race([cache.start().then(() => cache.namespacesReady()), timeout]);
    const engine = createEngine({ policy: enforcedPolicy(o.policy), rules, cluster: cache.view(), admitted: true });
    const report = auditCluster(engine, o.policy, {
      deployments: cache.deployments.list() as unknown as Deployment[],
      hpas: cache.hpas.list() as unknown as HorizontalPodAutoscaler[],
    });
    return { cluster: kc.getCurrentCluster()?.server ?? '(unknown)', rules: rules.source, ...report };
  } finally {
    clearTimeout(timer);
    await cache.stop();
  }
}

const TITLES: Record<AuditGroup['verdict'], string> = { denied: 'WOULD BE DENIED', skipped: 'NOT JUDGED', allowed: 'ALLOWED' };

export function formatAuditText(r: AuditResult, color = false): string {
  const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const s = r.summary;
  const lines = [
    `audit of ${r.cluster}, adapter rules from ${r.rules}`,
    `enforcement is ${r.enforcement}; verdicts are those of enforcement: deny${r.enforcement === 'warn' ? ' (what switching to deny would refuse)' : ''}`,
    '',
  ];
  for (const g of r.groups) {
    const title = g.verdict === 'denied' ? paint(31, TITLES.denied) : g.verdict === 'skipped' ? paint(90, TITLES.skipped) : paint(32, TITLES.allowed);
    lines.push(`${title} ${g.verdict === 'allowed' ? '' : `[${g.reason}] `}(${g.entries.length})`);
    for (const e of g.entries) lines.push(`  ${e.kind} ${e.namespace}/${e.name}${e.message ? `: ${e.message}` : ''}`);
    lines.push('');
  }
  lines.push(
    `${s.hpas} HPA${s.hpas === 1 ? '' : 's'} and ${s.deployments} opted-in Deployment${s.deployments === 1 ? '' : 's'}: ${s.denied} would be denied, ${s.allowed} allowed, ${s.skipped} not judged`,
  );
  return lines.join('\n');
}
