// The structure of a Deployment the GPU rules read, checked before any rule runs. Admission input is
// untrusted (and `check` reads hand-written files): a field of the wrong type is one clear violation
// naming the field, instead of a rule tripping over it. Unknown fields pass through untouched.
// The API server would refuse such an object too (its schema), so this is an "api-" reason.
// The zod schema below is the one definition, and writes the messages.
import { z } from 'zod';
import type { Violation } from './admission/decision.js';
import { fieldPath } from './field.js';

const strMap = z.record(z.string(), z.string()).nullish();
const meta = z.looseObject({ name: z.string().nullish(), namespace: z.string().nullish(), labels: strMap, annotations: strMap }).nullish();
const quantity = z.union([z.string(), z.number()]);
const resources = z.looseObject({ limits: z.record(z.string(), quantity).nullish(), requests: z.record(z.string(), quantity).nullish() }).nullish();
const container = z.looseObject({ name: z.string(), resources });
const toleration = z.looseObject({
  key: z.string().nullish(),
  operator: z.string().nullish(),
  value: z.string().nullish(),
  effect: z.string().nullish(),
  tolerationSeconds: z.number().nullish(),
});
const podSpec = z.looseObject({
  containers: z.array(container),
  initContainers: z.array(z.looseObject({})).nullish(),
  tolerations: z.array(toleration).nullish(),
  nodeSelector: strMap,
  runtimeClassName: z.string().nullish(),
});
const deployment = z.looseObject({
  metadata: meta,
  spec: z.looseObject({ template: z.looseObject({ metadata: meta, spec: podSpec }) }),
});

/** The zod schema itself, for tests. */
export const deploymentSchema = deployment;

export function deploymentShape(obj: unknown): Violation[] {
  const r = deployment.safeParse(obj);
  if (r.success) return [];
  return r.error.issues.slice(0, 5).map((i) => {
    const field = fieldPath(i.path);
    return { reason: 'api-malformed-object', field, message: `${field || '(object)'}: ${i.message}` };
  });
}
