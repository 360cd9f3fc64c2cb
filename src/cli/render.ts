// `gpu-hpa-webhook render`: the Deployment as the webhook would store it, and the HPA the controller
// would apply for it (for gpu-hpa.io/hpa: managed), as YAML.
import { stringify } from 'yaml';
import type { AdapterRuleSet } from '../core/adapter/types.js';
import { isOptedIn, readSettings } from '../core/annotations.js';
import { staticClusterView } from '../core/cluster.js';
import { createEngine } from '../core/engine.js';
import type { Deployment } from '../core/k8s-types.js';
import { managedHpa } from '../core/managed-hpa.js';
import type { Policy } from '../core/policy/schema.js';
import type { SourcedObject } from '../loaders/manifests.js';
import { admit, requestFor } from './check.js';

export interface RenderResult {
  documents: unknown[];
  /** per object that could not be rendered: source and reasons */
  errors: Array<{ source: string; messages: string[] }>;
  notes: string[];
}

export function runRender(objects: SourcedObject[], policy: Policy, rules: AdapterRuleSet, defaultNamespace = 'default'): RenderResult {
  const engine = createEngine({ policy, rules, cluster: staticClusterView({ deployments: [], hpas: [] }) });
  const out: RenderResult = { documents: [], errors: [], notes: [] };
  objects.forEach((o, i) => {
    if (o.object.kind !== 'Deployment') {
      out.notes.push(`${o.source}: ${String(o.object.kind ?? 'object')} is not a Deployment; skipped`);
      return;
    }
    const req = requestFor(o.object, defaultNamespace, `render-${i}`);
    if (!isOptedIn(o.object)) {
      out.notes.push(`${o.source}: Deployment ${req.name} is not opted in (label gpu-hpa.io/enabled: "true"); rendered unchanged`);
      out.documents.push(o.object);
      return;
    }
    const { decision, final } = admit(engine, req);
    if (!decision.allowed) {
      out.errors.push({ source: o.source, messages: decision.violations.map((v) => v.message) });
      return;
    }
    const dep = final as Deployment;
    out.documents.push(dep);
    const { settings } = readSettings(dep, policy);
    if (settings?.hpaMode === 'managed') {
      out.documents.push(managedHpa({ ...dep, metadata: { ...dep.metadata, namespace: req.namespace } }, settings));
    } else if (settings) {
      out.notes.push(`${o.source}: gpu-hpa.io/hpa is external; bring your own HPA (check it with gpu-hpa-webhook check)`);
    }
  });
  return out;
}

export function renderYaml(docs: unknown[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}
