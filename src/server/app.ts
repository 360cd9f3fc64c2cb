// The HTTP shell around the pure core: bytes in, AdmissionReview out. One path for every review
// request, as controller-runtime's pkg/webhook/admission/http.go (ServeHTTP): read the body under a
// size limit, check the content type, decode, decide, encode. Everything that can go wrong with a
// client's request is answered with a 4xx JSON error (a metav1.Status, as the API server itself
// answers), everything that goes wrong inside with a 500-coded AdmissionResponse that still carries
// the uid (controller-runtime's Errored).
//
// Which requests reach the Engine is decided by the core's one gate, scopeOf (core/admission/scope.ts),
// which `check` and the Engine call too.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { allow, type Decision } from '../core/admission/decision.js';
import type { AdmissionRequest, Endpoint, Engine, GroupVersionKind } from '../core/admission/request.js';
import { scopeOf } from '../core/admission/scope.js';
import { erroredResponse, parseAdmissionReview, parseJson, toAdmissionReviewResponse, type AdmissionReviewResponse } from '../core/admission/review.js';
import { excerpt, MAX_NAME_LENGTH } from '../core/bounds.js';
import type { ReviewDecisionLabel, ReviewKindLabel, WebhookMetrics } from './metrics.js';
import { reviewLineWriter } from './review-log.js';

export interface Readiness {
  ready: boolean;
  reason?: string;
  /** ready, but something the operator should see (a refused reload: the last good config serves) */
  warning?: string;
}

export interface AppDeps {
  /** the current engine; called per review, so a config reload can swap it */
  engine: () => Engine;
  ready: () => Readiness;
  logger: Logger;
  metrics: WebhookMetrics;
  /** largest request body accepted (default 3 MiB, the API server's own request limit) */
  bodyLimitBytes?: number;
}

export const DEFAULT_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

/** A bounded label for metrics: the kind of the request is client-supplied. */
function kindLabel(kind: GroupVersionKind): ReviewKindLabel {
  return kind.kind === 'Deployment' || kind.kind === 'HorizontalPodAutoscaler' ? kind.kind : 'other';
}

/** An HTTP error body shaped like the API server's metav1.Status. */
export interface ErrorBody {
  kind: 'Status';
  apiVersion: 'v1';
  status: 'Failure';
  code: number;
  reason: string;
  message: string;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

function errorBody(code: number, message: string): ErrorBody {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason: REASONS[code] ?? 'Unknown', message };
}

/** The path without the query string. */
function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** The route a path names: trailing slashes do not matter (as express's non-strict routing). */
function routeOf(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 0x2f) end--;
  return end === path.length ? path : path.slice(0, end);
}

function endpointOf(route: string): Endpoint | undefined {
  return route === '/mutate' ? 'mutate' : route === '/validate' ? 'validate' : undefined;
}

/**
 * Content-Type must be application/json; a charset parameter, when given, must be UTF-8 (RFC 8259
 * says JSON is UTF-8). Returns an error message, or undefined when acceptable.
 */
export function checkContentType(header: string | undefined): string | undefined {
  if (header === 'application/json') return undefined; // what the API server sends
  if (header === undefined || header.trim() === '') return 'Content-Type is required and must be application/json';
  const [type = '', ...params] = header.split(';');
  if (type.trim().toLowerCase() !== 'application/json') {
    return `Content-Type must be application/json, got "${header.slice(0, 100)}"`;
  }
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    const value = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') {
      return `Content-Type charset must be utf-8, got "${value.slice(0, 40)}"`;
    }
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * How deeply a request body may nest. The API server sends Deployments and HPAs re-encoded from
 * their Go types (a few dozen levels at most); anything that walks an object recursively (a deep
 * copy, a patch applied to a copy) overflows the stack at a few thousand levels — a client's
 * mistake that would otherwise be answered as an internal error.
 */
export const MAX_JSON_DEPTH = 512;

/** Whether JSON text nests arrays/objects deeper than max (a linear scan, strings skipped). */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // skip the string, escapes included
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Whether a body has more than max opening brackets, counting those inside strings too: only then
 * can it nest deeper than max, so only then is the exact scan needed. Counting with the Buffer's
 * native indexOf costs a third of scanning every character in JS (docs/benchmarks.md).
 */
export function openersExceed(bytes: Buffer, max: number): boolean {
  let n = 0;
  for (let i = bytes.indexOf(0x7b); i >= 0 && n <= max; i = bytes.indexOf(0x7b, i + 1)) n++; // {
  for (let i = bytes.indexOf(0x5b); i >= 0 && n <= max; i = bytes.indexOf(0x5b, i + 1)) n++; // [
  return n > max;
}

function send(res: ServerResponse, code: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body); // nothing is written for a HEAD request (node:http drops the body)
}

function sendJson(res: ServerResponse, code: number, value: unknown, headers?: Record<string, string>): void {
  send(res, code, 'application/json; charset=utf-8', JSON.stringify(value), headers);
}

const sendText = (res: ServerResponse, code: number, text: string) => send(res, code, 'text/plain; charset=utf-8', text);

/** A request listener for an HTTP(S) server; listen() is plain HTTP, for tests. */
export type WebhookHandler = ((req: IncomingMessage, res: ServerResponse) => void) & {
  listen(port: number, host: string): http.Server;
};

export function createApp(deps: AppDeps): WebhookHandler {
  const { logger, metrics } = deps;
  const writeReview = reviewLineWriter(logger);
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;

  const badRequest = (req: IncomingMessage, res: ServerResponse, code: number, message: string, headers?: Record<string, string>): void => {
    const endpoint = endpointOf(routeOf(pathOf(req)));
    if (endpoint !== undefined) metrics.badRequests.inc({ endpoint, code: String(code) });
    logger.info({ endpoint: endpoint ?? 'other', method: req.method, path: pathOf(req).slice(0, 200), code, error: message }, 'bad request');
    sendJson(res, code, errorBody(code, message), headers);
  };

  /** The review path: every POST to /mutate or /validate (trailing slashes too) comes here. */
  const serveReview = (endpoint: Endpoint, req: IncomingMessage, res: ServerResponse): void => {
    // In flight and timed from the moment the headers are in: reading and decoding the body is part
    // of what the API server waits for.
    const started = process.hrtime.bigint();
    metrics.inFlight.inc();
    res.once('close', () => metrics.inFlight.dec());
    // a client that goes away mid-body: nothing to answer, and an unhandled 'error' would crash
    req.on('error', () => {});
    const problem = checkContentType(req.headers['content-type']);
    if (problem !== undefined) return badRequest(req, res, 415, problem);
    // No inflation: the API server does not compress.
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      return badRequest(req, res, 415, `Content-Encoding is not supported; send the body uncompressed (got "${encoding.slice(0, 40)}")`);
    }
    // A declared length over the limit is refused before reading; otherwise count while reading
    // (http.go's io.LimitReader). The rest of an oversized body is drained so the client can read the 413.
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return badRequest(req, res, 413, `request body exceeds the limit of ${limit} bytes`);
      review(endpoint, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), started, req, res);
    });
  };

  function review(endpoint: Endpoint, bytes: Buffer, started: bigint, req: IncomingMessage, res: ServerResponse): void {
    if (bytes.length === 0) return badRequest(req, res, 400, 'request body is empty; expected an AdmissionReview');
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return badRequest(req, res, 400, 'request body is not valid UTF-8');
    }
    if (openersExceed(bytes, MAX_JSON_DEPTH) && jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      return badRequest(req, res, 400, `request body nests deeper than ${MAX_JSON_DEPTH} levels; a Deployment or HPA never does`);
    }
    const json = parseJson(text);
    if (!json.ok) return badRequest(req, res, 400, json.error);
    const parsed = parseAdmissionReview(json.value);
    if (!parsed.ok) return badRequest(req, res, 400, `not an admission.k8s.io/v1 AdmissionReview: ${parsed.error}`);

    const request = parsed.review.request;
    let answer: AdmissionReviewResponse;
    let label: ReviewDecisionLabel;
    let decision: Decision | undefined;
    let skipped: string | undefined;
    try {
      const scope = scopeOf(request);
      skipped = scope.decide ? undefined : scope.skipped;
      decision = scope.decide ? decide(deps.engine(), endpoint, request) : allow(scope.warnings);
      answer = toAdmissionReviewResponse(parsed.review, decision, endpoint);
      label = !decision.allowed ? 'denied' : answer.response.patch !== undefined ? 'patched' : 'allowed';
    } catch (err) {
      // A bug or a broken config in the core must not take the process down, nor become a
      // silent allow/deny: answer 500 with the uid so the API server applies failurePolicy.
      decision = undefined;
      label = 'error';
      const message = err instanceof Error ? err.message : String(err);
      answer = erroredResponse(request.uid, 500, `gpu-hpa-webhook: internal error: ${message.slice(0, 500)}`);
      logger.error({ err, endpoint, uid: request.uid }, 'engine failed');
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const reasons = decision?.violations.map((v) => v.reason) ?? [];
    metrics.recordReview(endpoint, kindLabel(request.kind), label, seconds, reasons);

    // Bounded like every message (issue 17): the API server's names are short, a forged review's need not be.
    writeReview({
      endpoint,
      uid: excerpt(request.uid, MAX_NAME_LENGTH),
      kind: excerpt(`${request.kind.group ? request.kind.group + '/' : ''}${request.kind.version}/${request.kind.kind}`, MAX_NAME_LENGTH),
      namespace: request.namespace === undefined ? undefined : excerpt(request.namespace, MAX_NAME_LENGTH),
      name: request.name === undefined ? undefined : excerpt(request.name, MAX_NAME_LENGTH),
      operation: excerpt(request.operation, MAX_NAME_LENGTH),
      dryRun: request.dryRun ?? false,
      decision: label,
      skipped,
      reasons,
      warnings: decision?.warnings.length ?? 0,
      latencyMs: Math.round(seconds * 1e6) / 1e3,
    });
    sendJson(res, 200, answer);
  }

  const readyz = (res: ServerResponse): void => {
    let r: Readiness;
    try {
      r = deps.ready();
    } catch (err) {
      r = { ready: false, reason: err instanceof Error ? err.message : String(err) };
    }
    // Still 200 with a warning: the last good configuration answers reviews correctly, and taking
    // every replica out of the Service over a bad ConfigMap would turn it into an outage.
    if (r.ready) sendText(res, 200, r.warning ? `ok\nwarning: ${r.warning}\n` : 'ok');
    else sendText(res, 503, `not ready: ${r.reason ?? 'starting'}`);
  };

  // The router: the two review endpoints and two GET endpoints; trailing slashes name the same route.
  // /metrics has a port of its own (src/server/metrics-server.ts), not the review port.
  // An error thrown while routing (a metrics collector, a logger) is our fault, not the client's:
  // answered 500 with a Status and logged, never an uncaught exception that ends the process.
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      dispatch(req, res);
    } catch (err) {
      logger.error({ err, method: req.method, path: pathOf(req).slice(0, 200) }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, errorBody(500, 'internal error'));
      else res.destroy();
    }
  };
  const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    const route = routeOf(pathOf(req));
    const method = req.method ?? '';
    const endpoint = endpointOf(route);
    if (endpoint !== undefined) {
      if (method === 'POST') return serveReview(endpoint, req, res);
      return badRequest(req, res, 405, `method ${method} is not allowed on ${route}; use POST`, { Allow: 'POST' });
    }
    if (route === '/healthz' || route === '/readyz') {
      if (method !== 'GET' && method !== 'HEAD') {
        return badRequest(req, res, 405, `method ${method} is not allowed on ${route}; use GET`, { Allow: 'GET, HEAD' });
      }
      if (route === '/healthz') return sendText(res, 200, 'ok');
      return readyz(res);
    }
    badRequest(req, res, 404, `no route for ${method.slice(0, 20)} ${pathOf(req).slice(0, 200)}`);
  };
  return Object.assign(handler, { listen: (port: number, host: string) => http.createServer(handler).listen(port, host) });
}

function decide(engine: Engine, endpoint: Endpoint, request: AdmissionRequest): Decision {
  const decision = endpoint === 'mutate' ? engine.mutate(request) : engine.validate(request);
  // The type says Decision; a thenable or a malformed object would otherwise be encoded as garbage.
  if (typeof decision !== 'object' || decision === null || typeof decision.allowed !== 'boolean' || !Array.isArray(decision.violations) || !Array.isArray(decision.warnings)) {
    throw new Error(`engine.${endpoint} returned a malformed decision`);
  }
  return decision;
}
