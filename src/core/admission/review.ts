// The AdmissionReview envelope, in and out (admission.k8s.io/v1). Pure: no I/O.
// Decoding is kept apart from deciding, as in controller-runtime's pkg/webhook/admission: the
// server turns bytes into an AdmissionReview here, the Engine decides, and every answer goes out
// through toAdmissionReviewResponse / erroredResponse so it always carries the uid and the shape
// the API server expects.
import { z } from 'zod';
import { excerpt, MAX_NAME_LENGTH } from '../bounds.js';
import { fieldPath, isObject } from '../field.js';
import { bounded, clipWarning, type Decision } from './decision.js';
import type { AdmissionRequest, Endpoint } from './request.js';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_KIND = 'AdmissionReview';

export interface AdmissionReview {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_KIND;
  request: AdmissionRequest;
}

/** metav1.StatusCause; its type is serialised as "reason", as the API server does. */
export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

/** metav1.Status as carried in AdmissionResponse.status. */
export interface Status {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  code: number;
  reason?: string;
  message?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: Status;
  warnings?: string[];
  /** base64 of the JSON patch */
  patch?: string;
  patchType?: 'JSONPatch';
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_KIND;
  response: AdmissionResponse;
}

export type ParseResult<T> = { ok: true; review: T } | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------
// Decoding

// group is "" for the core API group and Go omits nothing here, but hand-written reviews (tests,
// `curl`) often leave it out: default it rather than reject.
const gvk = z.object({ group: z.string().default(''), version: z.string().min(1), kind: z.string().min(1) });
const gvr = z.object({ group: z.string().default(''), version: z.string().min(1), resource: z.string().min(1) });
// Go's encoder writes null for unset pointers; treat null as absent.
const optString = z.string().nullish();

const requestSchema = z.object({
  uid: z.string().min(1),
  kind: gvk,
  resource: gvr,
  subResource: optString,
  requestKind: gvk.nullish(),
  name: optString,
  namespace: optString,
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
  userInfo: z.unknown().optional(),
  object: z.unknown().optional(),
  oldObject: z.unknown().optional(),
  dryRun: z.boolean().nullish(),
  options: z.unknown().optional(),
});

const reviewSchema = z.object({
  apiVersion: z.literal(ADMISSION_API_VERSION),
  kind: z.literal(ADMISSION_KIND),
  request: requestSchema,
});

/**
 * Check that a decoded JSON body is an admission.k8s.io/v1 AdmissionReview request.
 * The error names the path of every bad field ("request.uid: required"), for a 400 answer.
 * The zod schema above is the one definition of a valid review.
 */
export function parseAdmissionReview(body: unknown): ParseResult<AdmissionReview> {
  if (!isObject(body)) {
    return { ok: false, error: `body: expected an AdmissionReview object, got ${typeName(body)}` };
  }
  // The one mistake worth a sentence of its own: a webhook configuration still offering v1beta1.
  if (body.apiVersion === 'admission.k8s.io/v1beta1') {
    return {
      ok: false,
      error: 'apiVersion: admission.k8s.io/v1beta1 is not supported; send admission.k8s.io/v1 ' + '(admissionReviewVersions: ["v1"] in the webhook configuration)',
    };
  }
  const parsed = reviewSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues.slice(0, MAX_ISSUES).map((i) => formatIssue(i, body));
    if (issues.length > MAX_ISSUES) shown.push(`and ${issues.length - MAX_ISSUES} more`);
    return { ok: false, error: shown.join('; ') };
  }
  return { ok: true, review: reviewOf(parsed.data.request) };
}

type DecodedRequest = z.output<typeof requestSchema>;

function reviewOf(r: DecodedRequest): AdmissionReview {
  const request: AdmissionRequest = {
    uid: r.uid,
    kind: r.kind,
    resource: r.resource,
    operation: r.operation,
  };
  // Only set what is present, so consumers can rely on `'name' in request` / undefined checks.
  if (r.subResource != null && r.subResource !== '') request.subResource = r.subResource;
  if (r.requestKind != null) request.requestKind = r.requestKind;
  if (r.name != null) request.name = r.name;
  if (r.namespace != null) request.namespace = r.namespace;
  if (r.userInfo !== undefined) request.userInfo = r.userInfo;
  if (r.object !== undefined && r.object !== null) request.object = r.object;
  if (r.oldObject !== undefined && r.oldObject !== null) request.oldObject = r.oldObject;
  if (r.dryRun != null) request.dryRun = r.dryRun;
  if (r.options !== undefined && r.options !== null) request.options = r.options;
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, request };
}

const MAX_ISSUES = 5;

type Issue = z.core.$ZodIssue;

function formatIssue(issue: Issue, input: unknown): string {
  const path = formatPath(issue.path);
  const actual = valueAt(input, issue.path);
  if (actual === undefined) return `${path}: required`;
  switch (issue.code) {
    case 'invalid_value':
      return `${path}: must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(actual)}`;
    case 'invalid_type':
      return `${path}: expected ${issue.expected}, got ${typeName(actual)}`;
    case 'too_small':
      if (issue.origin === 'string') return `${path}: must not be empty`;
      return `${path}: ${issue.message}`;
    default:
      return `${path}: ${issue.message}`;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'body' : fieldPath(path);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    // own properties only: a key like "__proto__" or "constructor" must not resolve to Object.prototype
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** A value for an error message: short, never a whole object (bodies may hold secrets). */
function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 64 ? v.slice(0, 63) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeName(v);
}

// ---------------------------------------------------------------------------------------------
// JSON decoding with a position on failure

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * JSON.parse, with an error that says where: V8 reports a position for some syntax errors
 * ("… in JSON at position 6") but not for others ("Unexpected token '}', "{"a":}" is not valid
 * JSON", which also echoes the body). On failure the text is scanned again to find the offset.
 */
export function parseJson(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const found = findJsonSyntaxError(text);
    if (found === undefined) {
      // The scanner accepts what JSON.parse rejected: should not happen; fall back to V8's words.
      return { ok: false, error: `invalid JSON: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}` };
    }
    const { line, column } = lineColumn(text, found.offset);
    return { ok: false, error: `invalid JSON at line ${line}, column ${column} (position ${found.offset}): ${found.message}` };
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * A strict RFC 8259 scanner that returns the offset of the first syntax error, or undefined when
 * the text is valid. Iterative (an explicit stack), so deeply nested input cannot overflow.
 */
export function findJsonSyntaxError(s: string): { offset: number; message: string } | undefined {
  const stack: ('{' | '[')[] = [];
  type State = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'after';
  let state: State = 'value';
  let i = 0;
  const fail = (message: string, at = i) => ({ offset: at, message });
  const char = (at: number) => {
    const c = s[at];
    if (c === undefined) return 'end of input';
    const code = c.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? `control character U+${code.toString(16).padStart(4, '0')}` : `'${c}'`;
  };
  // returns an error, or undefined after moving i past the closing quote
  const scanString = (): { offset: number; message: string } | undefined => {
    i++;
    for (;;) {
      const c = s[i];
      if (c === undefined) return fail('unterminated string');
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === '\\') {
        const e = s[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && HEX4.test(s.slice(i + 2, i + 6))) i += 6;
        else return fail(e === 'u' ? 'bad unicode escape' : `bad escape ${char(i + 1)} in string`);
        continue;
      }
      if (c.charCodeAt(0) < 0x20) return fail(`unescaped ${char(i)} in string`);
      i++;
    }
  };

  for (;;) {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
    if (i >= s.length) {
      if (state === 'after' && stack.length === 0) return undefined;
      return fail(s.trim() === '' ? 'empty document' : 'unexpected end of input');
    }
    const c = s[i] as string;
    switch (state) {
      case 'value':
      case 'value-or-close': {
        if (state === 'value-or-close' && c === ']') {
          stack.pop();
          i++;
          state = 'after';
        } else if (c === '{') {
          stack.push('{');
          i++;
          state = 'key-or-close';
        } else if (c === '[') {
          stack.push('[');
          i++;
          state = 'value-or-close';
        } else if (c === '"') {
          const err = scanString();
          if (err) return err;
          state = 'after';
        } else if (c === '-' || (c >= '0' && c <= '9')) {
          NUMBER.lastIndex = i;
          const m = NUMBER.exec(s);
          if (!m) return fail('invalid number');
          i += m[0].length;
          state = 'after';
        } else {
          const lit = ['true', 'false', 'null'].find((l) => s.startsWith(l, i));
          if (lit === undefined) return fail(`unexpected ${char(i)}, expected a value`);
          i += lit.length;
          state = 'after';
        }
        break;
      }
      case 'key':
      case 'key-or-close': {
        if (state === 'key-or-close' && c === '}') {
          stack.pop();
          i++;
          state = 'after';
          break;
        }
        if (c !== '"') return fail(`unexpected ${char(i)}, expected a property name in double quotes`);
        const err = scanString();
        if (err) return err;
        while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
        if (s[i] !== ':') return fail(`unexpected ${char(i)}, expected ':' after a property name`);
        i++;
        state = 'value';
        break;
      }
      case 'after': {
        const top = stack[stack.length - 1];
        if (top === undefined) return fail(`unexpected ${char(i)} after the end of the JSON value`);
        const close = top === '{' ? '}' : ']';
        if (c === ',') {
          i++;
          state = top === '{' ? 'key' : 'value';
        } else if (c === close) {
          stack.pop();
          i++;
        } else {
          return fail(`unexpected ${char(i)}, expected ',' or '${close}'`);
        }
        break;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * The AdmissionReview answer for a Decision: echoes apiVersion, kind and request.uid (the API
 * server rejects a response whose uid differs); 403 Forbidden with one cause per violation when
 * denied; warnings clipped to 120 characters; the patch only when allowed, non-empty and on the
 * mutating endpoint (the API server rejects a patch from a validating webhook).
 */
export function toAdmissionReviewResponse(review: AdmissionReview, decision: Decision, endpoint?: Endpoint): AdmissionReviewResponse {
  const req = review.request;
  const response: AdmissionResponse = { uid: req.uid, allowed: decision.allowed };
  decision = bounded(decision);
  if (!decision.allowed) {
    const violations = decision.violations;
    const messages = violations.map((v) => v.message.trim()).filter((m) => m !== '');
    // bounded: the engine's decisions carry at most MAX_VIOLATIONS messages of MAX_MESSAGE_LENGTH
    // (decision.ts bounded()); bounded() again here for a decision from anywhere else
    const omitted = decision.omitted ?? 0;
    const more = omitted > 0 ? `; and ${omitted.toLocaleString('en-US')} more not shown` : '';
    const total = messages.length + omitted;
    const message =
      messages.length === 0
        ? 'denied by gpu-hpa-webhook'
        : total === 1
          ? (messages[0] as string)
          : `${total.toLocaleString('en-US')} problems: ${messages.map((m, n) => `(${n + 1}) ${m}`).join('; ')}${more}`;
    const causes: StatusCause[] = violations.map((v) => {
      const cause: StatusCause = { reason: v.reason, message: v.message };
      if (v.field !== undefined && v.field !== '') cause.field = v.field;
      return cause;
    });
    const details: NonNullable<Status['details']> = { kind: req.kind.kind, causes };
    if (req.name) details.name = excerpt(req.name, MAX_NAME_LENGTH);
    if (req.kind.group) details.group = req.kind.group;
    response.status = { metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden', message, details };
  }
  if (decision.warnings.length > 0) response.warnings = decision.warnings.map(clipWarning);
  if (decision.allowed && endpoint !== 'validate' && decision.patch !== undefined && decision.patch.length > 0) {
    response.patch = Buffer.from(JSON.stringify(decision.patch), 'utf8').toString('base64');
    response.patchType = 'JSONPatch';
  }
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}

const REASON_BY_CODE: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/**
 * controller-runtime's Errored(code, err): an internal failure, answered as a normal AdmissionReview
 * (HTTP 200) whose status carries the code, so the API server applies the webhook's failurePolicy
 * and the caller sees the uid it asked about.
 */
export function erroredResponse(uid: string, code: number, message: string): AdmissionReviewResponse {
  const status: Status = { metadata: {}, status: 'Failure', code, message };
  const reason = REASON_BY_CODE[code];
  if (reason !== undefined) status.reason = reason;
  return {
    apiVersion: ADMISSION_API_VERSION,
    kind: ADMISSION_KIND,
    response: { uid, allowed: false, status },
  };
}
