// The structure of a Deployment the GPU rules read, checked before any rule runs. Admission input is
// untrusted (and `check` reads hand-written files): a field of the wrong type is one clear violation
// naming the field, instead of a rule tripping over it. Unknown fields pass through untouched.
// The API server would refuse such an object too (its schema), so this is an "api-" reason.
//
// The zod schema below is the definition and writes the messages; wellShaped() answers the same
// question without allocating, for the common case of a well-formed object (zod cost ~9 µs of a
// ~26 µs mutate decision). test/core/shape.test.ts checks that the two agree on generated objects.
import { z } from 'zod';
import type { Violation } from './admission/decision.js';

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

function pathOf(path: PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nullish = (v: unknown): v is null | undefined => v === undefined || v === null;
const optStr = (v: unknown) => nullish(v) || typeof v === 'string';
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

// zod's record skips an own "__proto__" key (JSON.parse makes one from "__proto__": …); so does this
function recordOf(v: unknown, value: (x: unknown) => boolean): boolean {
  if (!isObj(v)) return false;
  for (const k of Object.keys(v)) if (k !== '__proto__' && !value(v[k])) return false;
  return true;
}
const optStrMap = (v: unknown) => nullish(v) || recordOf(v, (x) => typeof x === 'string');
const optQuantities = (v: unknown) => nullish(v) || recordOf(v, (x) => typeof x === 'string' || num(x));

function metaOk(m: unknown): boolean {
  if (nullish(m)) return true;
  return isObj(m) && optStr(m.name) && optStr(m.namespace) && optStrMap(m.labels) && optStrMap(m.annotations);
}

function containerOk(c: unknown): boolean {
  if (!isObj(c) || typeof c.name !== 'string') return false;
  const r = c.resources;
  return nullish(r) || (isObj(r) && optQuantities(r.limits) && optQuantities(r.requests));
}

function tolerationOk(t: unknown): boolean {
  return isObj(t) && optStr(t.key) && optStr(t.operator) && optStr(t.value) && optStr(t.effect) && (nullish(t.tolerationSeconds) || num(t.tolerationSeconds));
}

function arrayOf(v: unknown, item: (x: unknown) => boolean): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!item(v[i])) return false;
  return true;
}

/** The zod schema's verdict, without building a parse result (see the note at the top). */
export function wellShaped(obj: unknown): boolean {
  if (!isObj(obj) || !metaOk(obj.metadata)) return false;
  const spec = obj.spec;
  if (!isObj(spec) || !isObj(spec.template)) return false;
  const t = spec.template;
  if (!metaOk(t.metadata) || !isObj(t.spec)) return false;
  const pod = t.spec;
  return (
    arrayOf(pod.containers, containerOk) &&
    (nullish(pod.initContainers) || arrayOf(pod.initContainers, isObj)) &&
    (nullish(pod.tolerations) || arrayOf(pod.tolerations, tolerationOk)) &&
    optStrMap(pod.nodeSelector) &&
    optStr(pod.runtimeClassName)
  );
}

/** The zod schema itself, for the agreement test. */
export const deploymentSchema = deployment;

export function deploymentShape(obj: unknown): Violation[] {
  if (wellShaped(obj)) return [];
  const r = deployment.safeParse(obj);
  if (r.success) return [];
  return r.error.issues.slice(0, 5).map((i) => {
    const field = pathOf(i.path);
    return { reason: 'api-malformed-object', field, message: `${field || '(object)'}: ${i.message}` };
  });
}
