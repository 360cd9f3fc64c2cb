// Stage `request`: the review itself, before any rule looks at the object (both kinds, both endpoints).
import { excerpt } from '../bounds.js';
import { isObject } from '../field.js';
import type { Coded, RequestRule } from './types.js';

/** request.object must be a JSON object of the kind under review. */
const requestObjectCodes = { 'malformed-object': 'request.object is missing or is not a JSON object' } as const;

export const requestObject: Coded<RequestRule, typeof requestObjectCodes> = {
  name: 'request-object',
  description: 'request.object is a JSON object',
  origin: 'api-server',
  stage: 'request',
  kinds: ['Deployment', 'HorizontalPodAutoscaler'],
  endpoints: ['mutate', 'validate'],
  codes: requestObjectCodes,
  run: (f) => (isObject(f.object) ? { violations: [] } : { violations: [{ reason: 'malformed-object', field: 'request.object', message: `request.object is not a ${f.kind} object` }] }),
};

/**
 * The request's own namespace, the only one the engine looks into (issue 17: a denial never describes
 * objects of another namespace). The API server sends request.namespace and has already made the object's
 * metadata.namespace agree with it (apiserver pkg/endpoints/handlers/rest.go via
 * rest.EnsureObjectNamespaceMatchesRequestNamespace: a conflicting one is a 400 before admission), so a
 * review where they differ did not come from it: refused, and nothing is looked up.
 */
const requestNamespaceCodes = { 'api-namespace-mismatch': "metadata.namespace differs from the request's namespace (the API server never sends such a review)" } as const;

export const requestNamespace: Coded<RequestRule, typeof requestNamespaceCodes> = {
  name: 'request-namespace',
  description: "metadata.namespace agrees with the request's namespace",
  origin: 'api-server',
  stage: 'request',
  kinds: ['Deployment', 'HorizontalPodAutoscaler'],
  endpoints: ['mutate', 'validate'],
  source: 'kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go (EnsureObjectNamespaceMatchesRequestNamespace)',
  codes: requestNamespaceCodes,
  run(f) {
    const objNs = objectNamespace(f.object);
    const reqNs = f.req.namespace !== undefined && f.req.namespace !== '' ? f.req.namespace : undefined;
    if (reqNs === undefined || objNs === undefined || reqNs === objNs) return { violations: [] };
    return {
      violations: [
        {
          reason: 'api-namespace-mismatch',
          field: 'metadata.namespace',
          message: `metadata.namespace "${excerpt(objNs)}" does not match the request's namespace "${excerpt(reqNs)}": the API server never sends such a review`,
        },
      ],
    };
  },
};

/** The object's own metadata.namespace, when it is a non-empty string. */
export function objectNamespace(obj: unknown): string | undefined {
  const meta = isObject(obj) ? obj['metadata'] : undefined;
  const own = isObject(meta) ? meta['namespace'] : undefined;
  return typeof own === 'string' && own !== '' ? own : undefined;
}
