// The HTTP shell around the pure core: bytes in, AdmissionReview out. Everything that can go wrong
// with a client's request is answered here with a 4xx JSON error (a metav1.Status, as the API server
// itself answers), everything that goes wrong inside with a 500-coded AdmissionResponse that still
// carries the uid (controller-runtime's Errored). Express's HTML error pages never leave the process.
//
// Which requests reach the Engine: CREATE and UPDATE of apps/v1 Deployments and autoscaling/v2
// HorizontalPodAutoscalers, main resource only (see handles()). DELETE and CONNECT, subresources
// and other kinds are allowed here without a patch: the webhook configurations should not send
// them, and when a misconfigured one does, failing them would block unrelated changes.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { allow, type Decision } from '../core/admission/decision.js';
import type { AdmissionRequest, Endpoint, Engine, GroupVersionKind } from '../core/admission/request.js';
import {
  erroredResponse,
  parseAdmissionReview,
  parseJson,
  toAdmissionReviewResponse,
  type AdmissionReviewResponse,
} from '../core/admission/review.js';
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

const ENDPOINTS: readonly Endpoint[] = ['mutate', 'validate'];

/** The kinds the Engine decides on; anything else is allowed untouched. */
export function handles(kind: GroupVersionKind): boolean {
  return (
    (kind.group === 'apps' && kind.version === 'v1' && kind.kind === 'Deployment') ||
    (kind.group === 'autoscaling' && kind.version === 'v2' && kind.kind === 'HorizontalPodAutoscaler')
  );
}

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

/** The path without the query string (express's req.path, for a raw request too). */
function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function endpointOf(req: IncomingMessage): string {
  const p = pathOf(req).replace(/\/+$/, '');
  return p === '/mutate' ? 'mutate' : p === '/validate' ? 'validate' : 'other';
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
    const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
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

/** The answer to a JSON request, written the way express's res.json writes it, without express. */
function sendJson(res: ServerResponse, code: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** A request listener for an HTTP(S) server; listen() is plain HTTP, as express's, for tests. */
export type WebhookHandler = ((req: IncomingMessage, res: ServerResponse) => void) & {
  listen(port: number, host: string): http.Server;
};

export function createApp(deps: AppDeps): WebhookHandler {
  const { logger, metrics } = deps;
  // The per-review line holds names and codes, never an object, so it needs none of the logger's
  // redaction; it is written by review-log.ts, the same line pino would write, for a fraction of the cost.
  const writeReview = reviewLineWriter(logger);
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('case sensitive routing', true);

  const badRequest = (req: IncomingMessage, res: ServerResponse, code: number, message: string): void => {
    const endpoint = endpointOf(req);
    if (endpoint !== 'other') metrics.badRequests.inc({ endpoint, code: String(code) });
    logger.info({ endpoint, method: req.method, path: pathOf(req).slice(0, 200), code, error: message }, 'bad request');
    sendJson(res, code, errorBody(code, message));
  };

  // The raw bytes, with the size limit enforced while reading (Content-Length is checked first, so
  // an oversized body is refused before it is read). No inflation: the API server does not compress.
  const rawBody = express.raw({ type: () => true, limit, inflate: false });

  for (const endpoint of ENDPOINTS) {
    const path = `/${endpoint}`;
    app.post(
      path,
      (req, res, next) => {
        // In flight and timed from the moment the headers are in: reading and decoding the body
        // is part of what the API server waits for.
        res.locals.started = process.hrtime.bigint();
        metrics.inFlight.inc();
        res.once('close', () => metrics.inFlight.dec());
        const problem = checkContentType(req.headers['content-type']);
        if (problem !== undefined) return badRequest(req, res, 415, problem);
        next();
      },
      rawBody,
      (req, res) => {
        const body: unknown = req.body;
        const started = typeof res.locals.started === 'bigint' ? res.locals.started : process.hrtime.bigint();
        review(endpoint, Buffer.isBuffer(body) ? body : Buffer.alloc(0), started, req, res);
      },
    );
    app.all(path, (req, res) => {
      res.set('Allow', 'POST');
      badRequest(req, res, 405, `method ${req.method} is not allowed on ${path}; use POST`);
    });
  }

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
      skipped = skipReason(request);
      decision = skipped !== undefined ? allow(skipWarnings(request)) : decide(deps.engine(), endpoint, request);
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

    writeReview({
      endpoint,
      uid: request.uid,
      kind: `${request.kind.group ? request.kind.group + '/' : ''}${request.kind.version}/${request.kind.kind}`,
      namespace: request.namespace,
      name: request.name,
      operation: request.operation,
      dryRun: request.dryRun ?? false,
      decision: label,
      skipped,
      reasons,
      warnings: decision?.warnings.length ?? 0,
      latencyMs: Math.round(seconds * 1e6) / 1e3,
    });
    sendJson(res, 200, answer);
  }

  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (_req, res) => {
    let r: Readiness;
    try {
      r = deps.ready();
    } catch (err) {
      r = { ready: false, reason: err instanceof Error ? err.message : String(err) };
    }
    // Still 200 with a warning: the last good configuration answers reviews correctly, and taking
    // every replica out of the Service over a bad ConfigMap would turn it into an outage.
    if (r.ready) res.type('text/plain').send(r.warning ? `ok\nwarning: ${r.warning}\n` : 'ok');
    else res.status(503).type('text/plain').send(`not ready: ${r.reason ?? 'starting'}`);
  });
  // /metrics has a port of its own (src/server/metrics-server.ts), not the review port.
  for (const path of ['/healthz', '/readyz']) {
    app.all(path, (req, res) => {
      res.set('Allow', 'GET, HEAD');
      badRequest(req, res, 405, `method ${req.method} is not allowed on ${path}; use GET`);
    });
  }

  app.use((req, res) => badRequest(req, res, 404, `no route for ${req.method} ${req.path.slice(0, 200)}`));

  // Express 5 hands errors thrown by middleware (the body reader's among them) here; its default
  // handler would answer an HTML page with a stack trace.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err); // express closes the connection; nothing else can be written
      return;
    }
    const e = (typeof err === 'object' && err !== null ? err : {}) as {
      type?: unknown;
      status?: unknown;
      statusCode?: unknown;
      expose?: unknown;
      message?: unknown;
    };
    const msg = typeof e.message === 'string' ? e.message.slice(0, 300) : '';
    switch (e.type) {
      case 'entity.too.large':
        return badRequest(req, res, 413, `request body exceeds the limit of ${limit} bytes`);
      case 'encoding.unsupported':
        return badRequest(req, res, 415, `Content-Encoding is not supported; send the body uncompressed (${msg})`);
      case 'charset.unsupported':
        return badRequest(req, res, 415, msg || 'unsupported charset');
      case 'entity.parse.failed':
        return badRequest(req, res, 400, msg || 'request body could not be parsed');
      case 'request.aborted':
      case 'request.size.invalid':
        return badRequest(req, res, 400, msg || 'request body was incomplete');
    }
    const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
    if (status >= 400 && status < 500 && e.expose === true) return badRequest(req, res, status, msg || 'bad request');
    logger.error({ err, method: req.method, path: req.path.slice(0, 200) }, 'request failed');
    res.status(500).json(errorBody(500, 'internal error'));
  });

  // The admission routes carry all the traffic, and express's per-request work (prototype swaps,
  // router, body-parser, res.json) cost several times the review itself in the benchmark
  // (docs/benchmarks.md). So POST /mutate and /validate, exactly, are served here with the same
  // checks and answers; everything else (trailing slashes, other methods and paths) goes to express.
  const fast = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.method === 'POST' ? pathOf(req) : '';
    const endpoint: Endpoint | undefined = path === '/mutate' ? 'mutate' : path === '/validate' ? 'validate' : undefined;
    if (endpoint === undefined) return void app(req, res);
    const started = process.hrtime.bigint();
    metrics.inFlight.inc();
    res.once('close', () => metrics.inFlight.dec());
    // a client that goes away mid-body: nothing to answer, and an unhandled 'error' would crash
    req.on('error', () => {});
    const problem = checkContentType(req.headers['content-type']);
    if (problem !== undefined) return badRequest(req, res, 415, problem);
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      return badRequest(req, res, 415, `Content-Encoding is not supported; send the body uncompressed (unsupported content encoding "${encoding.slice(0, 40)}")`);
    }
    // As raw-body does: a declared length over the limit is refused before reading; otherwise count
    // while reading. The rest of an oversized body is drained so the client can read the 413.
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
  return Object.assign(fast, { listen: (port: number, host: string) => http.createServer(fast).listen(port, host) });
}

/** Why a request is allowed without asking the Engine, or undefined when the Engine decides. */
function skipReason(request: AdmissionRequest): string | undefined {
  if (request.operation === 'DELETE' || request.operation === 'CONNECT') return `operation ${request.operation}`;
  if (request.subResource !== undefined) return `subresource ${request.subResource}`;
  if (!handles(request.kind)) return 'kind not handled';
  return undefined;
}

/**
 * A Deployment or HPA in another API version means a webhook configuration registered with
 * matchPolicy: Exact (the API server would otherwise convert to the version we handle): say that
 * it was not checked rather than let it pass silently.
 */
function skipWarnings(request: AdmissionRequest): string[] {
  const k = request.kind;
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return [];
  if (request.subResource !== undefined || handles(k)) return [];
  if (k.kind !== 'Deployment' && k.kind !== 'HorizontalPodAutoscaler') return [];
  const want = k.kind === 'Deployment' ? 'apps/v1' : 'autoscaling/v2';
  return [`gpu-hpa-webhook: ${k.group ? k.group + '/' : ''}${k.version} ${k.kind} not checked; it handles ${want} (use matchPolicy: Equivalent)`];
}

function decide(engine: Engine, endpoint: Endpoint, request: AdmissionRequest): Decision {
  const decision = endpoint === 'mutate' ? engine.mutate(request) : engine.validate(request);
  // The type says Decision; a thenable or a malformed object would otherwise be encoded as garbage.
  if (typeof decision !== 'object' || decision === null || typeof decision.allowed !== 'boolean' || !Array.isArray(decision.violations) || !Array.isArray(decision.warnings)) {
    throw new Error(`engine.${endpoint} returned a malformed decision`);
  }
  return decision;
}
