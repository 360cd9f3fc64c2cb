// The adapter's label ↔ Kubernetes resource association (pkg/naming/resource_converter.go, lbl_res.go) and
// the slice of a RESTMapper it needs. The adapter normalizes every group-resource through the cluster's
// RESTMapper (custom-metrics-apiserver provider.CustomMetricInfo.Normalized → mapper.ResourceFor), which
// accepts the plural, the singular or the kind, case-insensitively: "pod", "pods" and "Pod" are all pods.
// Offline we use a static table of built-in kinds; anything else is guessed (lowercase plural) and flagged.
import type { GroupResource } from './types.js';
import { compileGoRegexp, GoRegexpError, type GoRegexp } from './go-regexp.js';
import { executeGoTemplate, GoTemplateError, parseGoTemplate, UnsupportedTemplateError, type GoTemplate } from './go-template.js';

export interface KnownResource {
  group: string;
  resource: string; // plural
  singular: string;
  kind: string;
  namespaced: boolean;
}

const R = (group: string, kind: string, resource: string, namespaced = true): KnownResource => ({ group, kind, resource, singular: kind.toLowerCase(), namespaced });

// Built-in kinds an HPA's Object metric (or an adapter label) may name.
const KNOWN: KnownResource[] = [
  R('', 'Pod', 'pods'),
  R('', 'Service', 'services'),
  R('', 'Endpoints', 'endpoints'),
  R('', 'ConfigMap', 'configmaps'),
  R('', 'Secret', 'secrets'),
  R('', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  R('', 'ReplicationController', 'replicationcontrollers'),
  R('', 'ServiceAccount', 'serviceaccounts'),
  R('', 'Event', 'events'),
  R('', 'Node', 'nodes', false),
  R('', 'Namespace', 'namespaces', false),
  R('', 'PersistentVolume', 'persistentvolumes', false),
  R('apps', 'Deployment', 'deployments'),
  R('apps', 'StatefulSet', 'statefulsets'),
  R('apps', 'ReplicaSet', 'replicasets'),
  R('apps', 'DaemonSet', 'daemonsets'),
  R('apps', 'ControllerRevision', 'controllerrevisions'),
  R('batch', 'Job', 'jobs'),
  R('batch', 'CronJob', 'cronjobs'),
  R('networking.k8s.io', 'Ingress', 'ingresses'),
  R('networking.k8s.io', 'IngressClass', 'ingressclasses', false),
  R('networking.k8s.io', 'NetworkPolicy', 'networkpolicies'),
  R('autoscaling', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
  R('policy', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  R('discovery.k8s.io', 'EndpointSlice', 'endpointslices'),
  R('storage.k8s.io', 'StorageClass', 'storageclasses', false),
  R('coordination.k8s.io', 'Lease', 'leases'),
];

/** API groups whose resources the table lists completely: a miss there is a definite error, not a CRD. */
const BUILTIN_GROUPS = new Set(['', 'apps', 'batch', 'networking.k8s.io', 'autoscaling', 'policy', 'discovery.k8s.io', 'storage.k8s.io', 'coordination.k8s.io']);

// Resources the adapter never treats as namespaced: pkg/naming/resource_converter.go NsGroupResource,
// NodeGroupResource, PVGroupResource; pkg/custom-provider/series_registry.go SetSeries.
export const NAMESPACES: GroupResource = { group: '', resource: 'namespaces' };
const ROOT_SCOPED_IN_REGISTRY = new Set(['namespaces', 'nodes', 'persistentvolumes']);

export function isRootScopedInRegistry(gr: GroupResource): boolean {
  return gr.group === '' && ROOT_SCOPED_IN_REGISTRY.has(gr.resource);
}

export function grKey(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

export function sameGR(a: GroupResource, b: GroupResource): boolean {
  return a.group === b.group && a.resource === b.resource;
}

/** Lowercase plural guess for a kind the table doesn't know (what kubectl/RESTMapper guessing does: UnsafeGuessKindToResource). */
export function guessPlural(kind: string): string {
  const k = kind.toLowerCase();
  if (k === '') return k;
  if (k.endsWith('s')) return k + 'es';
  if (k.endsWith('y') && !/[aeiou]y$/.test(k)) return k.slice(0, -1) + 'ies';
  return k + 's';
}

/** apiVersion "apps/v1" → "apps"; "v1" → "" */
function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/**
 * The group-resource of an object an HPA Object metric describes (a static RESTMapper). `namespaced` is the
 * kind's scope. Unknown kinds: lowercase plural in the apiVersion's group (e.g. a CRD).
 */
export function resourceForKind(apiVersion: string, kind: string): GroupResource & { namespaced: boolean } {
  const group = groupOf(apiVersion ?? '');
  const k = (kind ?? '').toLowerCase();
  const hit = KNOWN.find((r) => r.singular === k && r.group === group) ?? KNOWN.find((r) => r.singular === k && group === 'extensions');
  if (hit) return { group: hit.group, resource: hit.resource, namespaced: hit.namespaced };
  return { group, resource: guessPlural(kind ?? ''), namespaced: true };
}

export type NormalizeResult = { ok: true; gr: GroupResource; guessed: boolean } | { ok: false; error: string };

/**
 * RESTMapper.ResourceFor as the adapter uses it: plural, singular or kind, any case; an empty group matches any
 * group. Unknown names in non-built-in groups are guessed (they may be CRDs) and marked `guessed`.
 */
export function normalizeResource(group: string, resource: string): NormalizeResult {
  const res = resource.toLowerCase();
  const matches = KNOWN.filter((r) => (r.resource === res || r.singular === res) && (group === '' || r.group === group));
  if (matches.length > 0) {
    // the core group wins an ambiguity (events vs events.k8s.io), as the adapter's discovery mapper prefers it
    const pick = matches.find((r) => r.group === '') ?? matches[0]!;
    return { ok: true, gr: { group: pick.group, resource: pick.resource }, guessed: false };
  }
  if (res === '') return { ok: false, error: 'empty resource name' };
  if (BUILTIN_GROUPS.has(group) && group !== '') {
    return { ok: false, error: `the server doesn't have a resource type "${res}" in group "${group}"` };
  }
  if (group === '' && !res.includes('.')) {
    // A core-group miss might still be a CRD's plural reached with an empty group; keep it, flagged.
    return { ok: true, gr: { group: '', resource: res.endsWith('s') ? res : guessPlural(res) }, guessed: true };
  }
  return { ok: true, gr: { group, resource: res.endsWith('s') ? res : guessPlural(res) }, guessed: true };
}

/** mapper.ResourceSingularizer */
export function singularize(resource: string): string {
  const r = resource.toLowerCase();
  const hit = KNOWN.find((k) => k.resource === r || k.singular === r);
  if (hit) return hit.singular;
  if (r.endsWith('ies')) return r.slice(0, -3) + 'y';
  if (r.endsWith('ses')) return r.slice(0, -2);
  if (r.endsWith('s')) return r.slice(0, -1);
  return r;
}

// pkg/naming/resource_converter.go GroupNameSanitizer
function sanitizeGroup(group: string): string {
  return group.replace(/[.-]/g, '_');
}

// A resource template (resources.template) is a Go text/template with delimiters << >>, executed with a
// schema.GroupResource (pkg/naming/resource_converter.go NewResourceConverter / makeLabelForResource,
// lbl_res.go newLabelGroupResExtractor): go-template.ts says what of text/template is evaluated here.
export class ResourceTemplateError extends Error {}
/** A template prometheus-adapter accepts but this webhook does not evaluate (the config is refused, saying so). */
class UnsupportedResourceTemplateError extends ResourceTemplateError {}

/** Parse a resource template as template.Parse does; throws ResourceTemplateError (Go's wording, or what is not evaluated here). */
export function parseResourceTemplate(template: string): GoTemplate {
  try {
    return parseGoTemplate(template);
  } catch (e) {
    throw asTemplateError(e);
  }
}

function asTemplateError(e: unknown): Error {
  if (e instanceof UnsupportedTemplateError)
    return new UnsupportedResourceTemplateError(
      `resources.template uses ${e.message}; prometheus-adapter accepts it, but this webhook cannot predict its labels, so it refuses the config rather than guess`,
    );
  if (e instanceof GoTemplateError) return new ResourceTemplateError(e.message);
  return e as Error;
}

function execTemplate(t: GoTemplate, group: string, resource: string): string {
  try {
    return executeGoTemplate(t, { Group: group, Resource: resource });
  } catch (e) {
    throw asTemplateError(e);
  }
}

/**
 * A rule's resource converter (pkg/naming/resource_converter.go NewResourceConverter): overrides map labels to
 * group-resources; a template maps every label of its form. Construction errors are the adapter's startup errors.
 */
export class ResourceConverter {
  readonly labelToResource = new Map<string, GroupResource>();
  readonly resourceToLabel = new Map<string, string>();
  readonly template: GoTemplate | null = null;
  private readonly extractor: { re: GoRegexp; resourceInd: number; groupInd: number } | null = null;
  /** overrides whose resource is not a built-in one (maybe a CRD): kept, but worth a warning */
  readonly guessedOverrides: string[] = [];
  /** two labels overriding to the same resource: Go map order picks the query label at random */
  readonly ambiguousOverrides: string[] = [];

  constructor(template: string, overrides: Array<[string, { group: string; resource: string }]>) {
    if (template !== '') {
      let parts: GoTemplate;
      try {
        parts = parseResourceTemplate(template);
      } catch (e) {
        if (e instanceof UnsupportedResourceTemplateError) throw new Error(e.message);
        throw new Error(`unable to parse label template ${JSON.stringify(template)}: ${(e as Error).message}`);
      }
      this.template = parts;
      // lbl_res.go newLabelGroupResExtractor: execute with regex groups, anchor, compile (template text is NOT escaped)
      let executed: string;
      try {
        executed = execTemplate(parts, '(?P<group>.+?)', '(?P<resource>.+?)');
      } catch (e) {
        if (e instanceof UnsupportedResourceTemplateError) throw new Error(e.message);
        throw new Error(`unable to generate label format from template ${JSON.stringify(template)}: unable to convert label template to matcher: ${(e as Error).message}`);
      }
      if (executed === '') throw new Error(`unable to generate label format from template ${JSON.stringify(template)}: unable to convert label template to matcher: empty template`);
      const raw = '^' + executed + '$';
      let re: GoRegexp;
      try {
        re = compileGoRegexp(raw);
      } catch (e) {
        const msg = e instanceof GoRegexpError ? e.message : String(e);
        throw new Error(`unable to generate label format from template ${JSON.stringify(template)}: unable to convert label template to matcher: ${msg}`);
      }
      let resourceInd = -1;
      let groupInd = -1;
      re.subexpNames.forEach((n, i) => {
        if (n === 'group') groupInd = i;
        if (n === 'resource') resourceInd = i;
      });
      if (resourceInd < 0) {
        throw new Error(`unable to generate label format from template ${JSON.stringify(template)}: must include at least \`{{.Resource}}\` in the label template`);
      }
      this.extractor = { re, resourceInd, groupInd };
    }
    for (const [label, gr] of overrides) {
      const n = normalizeResource(gr.group, gr.resource);
      if (!n.ok) throw new Error(`unable to normalize group-resource ${JSON.stringify(gr)}: ${n.error}`);
      if (n.guessed) this.guessedOverrides.push(`${label} → ${gr.group ? gr.group + '/' : ''}${gr.resource}`);
      const key = grKey(n.gr);
      const prev = this.resourceToLabel.get(key);
      if (prev !== undefined && prev !== label) this.ambiguousOverrides.push(`${prev} and ${label} both map to ${key}`);
      this.labelToResource.set(label, n.gr);
      this.resourceToLabel.set(key, label);
    }
  }

  /** LabelForResource: the override's label, else the template's; null (with why) when neither applies. */
  labelForResource(gr: GroupResource): { label: string; via: 'override' | 'template' } | { label: null; error: string } {
    const o = this.resourceToLabel.get(grKey(gr));
    if (o !== undefined) return { label: o, via: 'override' };
    if (!this.template) return { label: null, error: 'no generic resource label form specified for this metric' };
    let label: string;
    try {
      label = execTemplate(this.template, sanitizeGroup(gr.group), singularize(gr.resource));
    } catch (e) {
      // makeLabelForResource: an Execute error means no label for this resource
      return { label: null, error: (e as Error).message };
    }
    if (label === '') return { label: null, error: 'empty label produced by label template' };
    return { label, via: 'template' };
  }

  /** The resource a series label maps to, or null (ResourcesForSeries' per-label step). */
  resourceForLabel(label: string): GroupResource | null {
    const o = this.labelToResource.get(label);
    if (o) return o;
    if (!this.extractor) return null;
    const m = this.extractor.re.findStringSubmatchIndex(label);
    if (!m) return null;
    const sub = (i: number): string => (i >= 0 && m[2 * i]! >= 0 ? label.slice(m[2 * i], m[2 * i + 1]) : '');
    const group = this.extractor.groupInd >= 0 ? sub(this.extractor.groupInd) : '';
    const n = normalizeResource(group, sub(this.extractor.resourceInd));
    // unknown resources from template labels are skipped by the adapter (logged at V(9)); a guess is no better
    if (!n.ok || n.guessed) return null;
    return n.gr;
  }

  /**
   * ResourcesForSeries for a known label set (pkg/naming/resource_converter.go). `namespaced` is the adapter's
   * own rule: true as soon as one label maps to anything but namespaces, nodes or persistentvolumes — and a
   * label that maps to nothing (job, instance, gpu…) counts as "anything"; only a label the template matches
   * but the RESTMapper cannot resolve is skipped. So a scraped series (it always has job and instance) is
   * registered namespaced whatever its namespace label says.
   */
  resourcesForLabels(labels: Iterable<string>): { resources: GroupResource[]; namespaced: boolean } {
    const resources: GroupResource[] = [];
    let namespaced = false;
    for (const l of labels) {
      let gr: GroupResource | null = this.labelToResource.get(l) ?? null;
      if (!gr && this.extractor?.re.matchString(l)) {
        gr = this.resourceForLabel(l);
        if (!gr) continue; // GroupResourceForLabel matched, Normalized failed: skipped (klog.V(9))
      }
      if (gr && !resources.some((r) => sameGR(r, gr))) resources.push(gr);
      if (!gr || !isRootScopedInRegistry(gr)) namespaced = true;
    }
    return { resources, namespaced };
  }
}
