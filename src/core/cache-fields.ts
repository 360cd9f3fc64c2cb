// The one place that names what the cluster cache keeps of a Deployment or an HPA: the fields a
// decision of the core (through ClusterView: the target Deployment of an HPA, the other HPAs of its
// namespace) or the managed-HPA controller reads, and what the list/watch needs to track an object
// (namespace, name, resourceVersion). Everything else (managedFields, status, env, probes, volumes,
// last-applied-configuration, …) is dropped from each page and watch event before it is stored: at
// 50,000 Deployments a whole object costs ~10 KB, its trimmed form a few hundred bytes.
// This is controller-runtime's cache transform (pkg/cache: TransformStripManagedFields and per-object
// ByObject.Transform) as data. A rule that starts reading another field of a cached object adds it
// here; test/core/cache-fields.test.ts fails while a rule reads a field this drops.
// Pure: no I/O.
import { MANAGED_BY_LABEL, OPT_IN_LABEL } from './annotations.js';
import { isObject } from './field.js';

/**
 * What to keep of a value:
 * - 'all': the value as it is;
 * - { fields }: an object, only the named fields (each kept as its own Keep says);
 * - { each }: an array, every element kept as `each` says;
 * - { entries }: a string map (labels, annotations), only the entries whose key is listed or starts with a listed prefix.
 */
export type Keep =
  'all' | { readonly fields: Readonly<Record<string, Keep>> } | { readonly each: Keep } | { readonly entries: { readonly keys?: readonly string[]; readonly prefixes?: readonly string[] } };

/** What every cached object needs: its identity and the resourceVersion the watch resumes from. */
const identity = {
  name: 'all',
  namespace: 'all',
  uid: 'all',
  resourceVersion: 'all',
} as const satisfies Record<string, Keep>;

export const DEPLOYMENT_KEEP: Keep = {
  fields: {
    metadata: {
      fields: {
        ...identity,
        // the controller leaves a Deployment being deleted to the garbage collector
        deletionTimestamp: 'all',
        // isOptedIn (core/annotations.ts)
        labels: { entries: { keys: [OPT_IN_LABEL] } },
        // readSettings reads only gpu-hpa.io/* annotations
        annotations: { entries: { prefixes: ['gpu-hpa.io/'] } },
      },
    },
    spec: {
      fields: {
        template: {
          fields: {
            spec: {
              fields: {
                // readSettings (container names), verifyResourceRequests (requests and limits)
                containers: { each: { fields: { name: 'all', resources: 'all' } } },
                // verifyGpuBudget: every container's GPUs, init containers too (issue 17)
                initContainers: { each: { fields: { name: 'all', resources: 'all' } } },
              },
            },
          },
        },
      },
    },
    // podsOfDeployment (core/validate/target-pods.ts): whether the target's pods run, and since when (issue 18)
    status: {
      fields: {
        availableReplicas: 'all',
        conditions: { each: { fields: { type: 'all', status: 'all', lastTransitionTime: 'all' } } },
      },
    },
  },
};

export const HPA_KEEP: Keep = {
  fields: {
    metadata: {
      fields: {
        ...identity,
        // isManaged (controller/managed-hpa.ts), managedModeNotice
        labels: { entries: { keys: [MANAGED_BY_LABEL] } },
        // the controller deletes only an HPA it owns (and compares the owner in upToDate)
        ownerReferences: 'all',
      },
    },
    // scaleTargetRef (verifySingleHpa, the controller) and the whole spec (upToDate compares it): a few hundred bytes
    spec: 'all',
  },
};

/** Whether a string map entry with this key is kept. */
export function keepsEntry(e: { readonly keys?: readonly string[]; readonly prefixes?: readonly string[] }, key: string): boolean {
  return (e.keys?.includes(key) ?? false) || (e.prefixes?.some((p) => key.startsWith(p)) ?? false);
}

/**
 * A copy of `value` with only what `keep` names. The copy shares no object with the input (which is
 * a parsed page or watch event, dropped as soon as it is trimmed). A map or object left empty is
 * kept empty, so "no labels" and "no gpu-hpa.io labels" read the same.
 */
export function trimTo(value: unknown, keep: Keep): unknown {
  if (keep === 'all') return value;
  if ('fields' in keep) {
    if (!isObject(value)) return value === null || typeof value !== 'object' ? value : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, sub] of Object.entries(keep.fields)) {
      if (value[k] !== undefined) out[k] = trimTo(value[k], sub);
    }
    return out;
  }
  if ('each' in keep) {
    if (!Array.isArray(value)) return value === null || typeof value !== 'object' ? value : undefined;
    return value.map((x) => trimTo(x, keep.each));
  }
  if (!isObject(value)) return value === null || typeof value !== 'object' ? value : undefined;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) if (keepsEntry(keep.entries, k)) out[k] = value[k];
  return out;
}

export function trimDeployment<T>(d: T): T {
  return trimTo(d, DEPLOYMENT_KEEP) as T;
}

export function trimHpa<T>(h: T): T {
  return trimTo(h, HPA_KEEP) as T;
}

/**
 * An APIService of the metrics APIs: what admission/metric-apis.ts reads (who serves the group and version,
 * its priority, whether the aggregator reaches it).
 */
export const APISERVICE_KEEP: Keep = {
  fields: {
    metadata: { fields: identity },
    spec: { fields: { group: 'all', version: 'all', service: { fields: { namespace: 'all', name: 'all' } }, versionPriority: 'all' } },
    status: { fields: { conditions: { each: { fields: { type: 'all', status: 'all', reason: 'all' } } } } },
  },
};

export function trimApiService<T>(a: T): T {
  return trimTo(a, APISERVICE_KEEP) as T;
}
