// What the API server refuses in an object's metadata on create, ported from kubernetes v1.36.3:
// - k8s.io/apimachinery/pkg/api/validation/objectmeta.go: ValidateObjectMetaAccessor (name,
//   generateName, namespace), validateObjectMetaAccessorWithOptsCommon (generation, labels,
//   annotations, ownerReferences, finalizers), ValidateAnnotations (+ the 256 KiB total),
//   validateOwnerReference, ValidateOwnerReferences, ValidateFinalizers
// - k8s.io/apimachinery/pkg/api/validation/generic.go: NameIsDNSSubdomain, maskTrailingDash
// - k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go: ValidateLabels
// - k8s.io/kubernetes/pkg/apis/core/validation/validation.go: ValidateObjectMeta's extra
//   validateKubeFinalizerName (an unqualified finalizer must be a standard one)
// - k8s.io/kubernetes/pkg/apis/autoscaling/validation: an HPA's name is a DNS subdomain
//   (ValidateHorizontalPodAutoscalerName = NameIsDNSSubdomain)
// - k8s.io/apiserver/pkg/storage/names/generate.go: a generated name is generateName cut to 58
//   bytes plus 5 random lowercase alphanumerics, validated like any name
// Input is decoded JSON (hpa-decode.ts has refused wrong types); anything else is skipped here.
import type { Violation } from '../admission/decision.js';
import { fieldError, indexPath, isObject as isObj, type Obj } from '../field.js';
import { byteLength, isDNS1123Label, isDNS1123Subdomain, isLabelValue, isQualifiedName, parseGroupVersion } from './k8s-names.js';

const REASON = 'api-object-meta';
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * (1 << 10);
const MAX_GENERATED_NAME_PREFIX = 63 - 5; // names.maxGeneratedNameLength

/** generic.go maskTrailingDash, bug for bug: the last two characters become one "a". */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? name.slice(0, name.length - 2) + 'a' : name;
}

/** NameIsDNSSubdomain(name, prefix) */
function nameIsDNSSubdomain(name: string, prefix: boolean): string[] {
  return isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
}

/** The name SimpleNameGenerator would produce: the prefix (at most 58 bytes) and 5 lowercase alphanumerics. */
function generatedName(base: string): string {
  const cut = Buffer.from(base, 'utf8').subarray(0, MAX_GENERATED_NAME_PREFIX).toString('utf8');
  return `${byteLength(base) > MAX_GENERATED_NAME_PREFIX ? cut : base}x7k2q`;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** ValidateObjectMeta for a namespaced object whose names are DNS subdomains, as on CREATE. */
export function objectMetaViolations(metadata: unknown, path = 'metadata'): Violation[] {
  const out: Violation[] = [];
  const push = (field: string, message: string) => out.push({ reason: REASON, field, message });
  const m: Obj = isObj(metadata) ? metadata : {};

  const generateName = str(m['generateName']);
  let name = str(m['name']);
  if (generateName.length > 0) {
    for (const msg of nameIsDNSSubdomain(generateName, true)) push(`${path}.generateName`, fieldError.invalid(`${path}.generateName`, generateName, msg));
    if (name.length === 0) name = generatedName(generateName);
  }
  if (name.length === 0) {
    push(`${path}.name`, fieldError.required(`${path}.name`, 'name or generateName is required'));
  } else {
    const shown = str(m['name']) || name;
    for (const msg of nameIsDNSSubdomain(name, false)) {
      push(`${path}.name`, fieldError.invalid(`${path}.name`, shown, msg) + (str(m['name']) ? '' : ` (the name generated from generateName ${JSON.stringify(generateName)})`));
    }
  }

  // ValidateNamespaceName = NameIsDNSLabel. An empty namespace is the request's (kubectl's -n).
  const ns = str(m['namespace']);
  if (ns.length > 0) for (const msg of isDNS1123Label(ns)) push(`${path}.namespace`, fieldError.invalid(`${path}.namespace`, ns, msg));

  const generation = m['generation'];
  if (typeof generation === 'number' && generation < 0) push(`${path}.generation`, fieldError.invalid(`${path}.generation`, generation, 'must be greater than or equal to 0'));

  // ValidateLabels: every key a qualified name, every value a label value
  const labels = m['labels'];
  if (isObj(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      for (const msg of isQualifiedName(k)) push(`${path}.labels`, fieldError.invalid(`${path}.labels`, k, msg));
      for (const msg of isLabelValue(str(v))) push(`${path}.labels`, fieldError.invalid(`${path}.labels`, str(v), msg) + ` (the value of label ${JSON.stringify(k)})`);
    }
  }

  // ValidateAnnotations: keys are qualified names, case-insensitively; keys and values total at most 256 KiB
  const annotations = m['annotations'];
  if (isObj(annotations)) {
    let total = 0;
    for (const [k, v] of Object.entries(annotations)) {
      for (const msg of isQualifiedName(k.toLowerCase())) push(`${path}.annotations`, fieldError.invalid(`${path}.annotations`, k, msg));
      total += byteLength(k) + byteLength(str(v));
    }
    if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
      push(`${path}.annotations`, `${path}.annotations: Too long: may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes (keys and values together are ${total} bytes)`);
    }
  }

  const owners = m['ownerReferences'];
  if (Array.isArray(owners)) out.push(...ownerReferenceViolations(owners, `${path}.ownerReferences`));

  const finalizers = m['finalizers'];
  if (Array.isArray(finalizers)) out.push(...finalizerViolations(finalizers.map(str), `${path}.finalizers`));
  return out;
}

// ValidateOwnerReferences / validateOwnerReference
function ownerReferenceViolations(refs: unknown[], path: string): Violation[] {
  const out: Violation[] = [];
  const push = (field: string, message: string) => out.push({ reason: REASON, field, message });
  let firstController = '';
  for (const raw of refs) {
    const r: Obj = isObj(raw) ? raw : {};
    const apiVersion = str(r['apiVersion']);
    const kind = str(r['kind']);
    // schema.FromAPIVersionAndKind: an unparsable apiVersion leaves group and version empty
    const gv = parseGroupVersion(apiVersion);
    const version = 'error' in gv ? '' : gv.version;
    const group = 'error' in gv ? '' : gv.group;
    if (version.length === 0) push(`${path}.apiVersion`, fieldError.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (kind.length === 0) push(`${path}.kind`, fieldError.invalid(`${path}.kind`, kind, 'must not be empty'));
    if (str(r['name']).length === 0) push(`${path}.name`, fieldError.invalid(`${path}.name`, '', 'must not be empty'));
    if (str(r['uid']).length === 0) push(`${path}.uid`, fieldError.invalid(`${path}.uid`, '', 'must not be empty'));
    if (group === '' && version === 'v1' && kind === 'Event') push(path, `${path}: Invalid value: /v1, Kind=Event is disallowed from being an owner`);
    if (r['controller'] === true) {
      const current = `${kind}/${str(r['name'])}`;
      if (firstController !== '') {
        push(path, `${path}: Invalid value: Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`);
      } else {
        firstController = current;
      }
    }
  }
  return out;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

// ValidateFinalizers (+ core validation's validateKubeFinalizerName)
function finalizerViolations(finalizers: string[], path: string): Violation[] {
  const out: Violation[] = [];
  finalizers.forEach((f, i) => {
    for (const msg of isQualifiedName(f)) out.push({ reason: REASON, field: path, message: fieldError.invalid(path, f, msg) });
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      const at = indexPath(path, i);
      out.push({
        reason: REASON,
        field: at,
        message: fieldError.invalid(at, f, 'name is neither a standard finalizer name nor is it fully qualified') + ' (use a domain-prefixed name such as example.com/cleanup)',
      });
    }
  });
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    out.push({ reason: REASON, field: path, message: fieldError.invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set') });
  }
  return out;
}
