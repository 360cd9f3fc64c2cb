// The Kubernetes API client of the controller, the cluster cache, `audit` and discovery: JSON over HTTPS
// with the credentials of a KubeConfig (controller/kubeconfig.ts). Only what this product calls: get,
// create, replace, patch (merge, strategic, server-side apply), delete, and a raw response for watches.
// A non-2xx answer becomes an ApiError carrying the API server's Status (code, reason, message), as
// client-go's rest.Result.Error() does (rest/request.go transformResponse → errors.FromObject).
import { request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { Credentials, KubeConfig } from './kubeconfig.js';

export { loadKubeConfig, KubeConfigError, type KubeConfig } from './kubeconfig.js';

/** Whether serve runs against a cluster: a kubeconfig was given, or we are in a pod. */
export function clusterAvailable(file?: string): boolean {
  return Boolean(file) || Boolean(process.env.KUBERNETES_SERVICE_HOST);
}

/** A non-2xx answer of the API server, with its Status (metav1.Status) when it sent one. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    /** the HTTP status (Status.code) */
    readonly code: number,
    message: string,
    /** Status.reason: NotFound, AlreadyExists, Conflict, Forbidden, Invalid, Expired, … */
    readonly reason?: string,
    /** Status.details */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The HTTP status of a failed API call, or undefined for a transport error. */
export function httpStatus(e: unknown): number | undefined {
  if (e instanceof ApiError) return e.code;
  // other clients' errors (tests use @kubernetes/client-node's ApiException: .code)
  const code = (e as { code?: unknown } | undefined)?.code ?? (e as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The API server's message for a failed call (Status.message), else the error's own. */
export function apiMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  // @kubernetes/client-node's ApiException (tests): the Status is its body, as text or parsed
  const body = (e as { body?: unknown } | undefined)?.body;
  if (typeof body === 'string') {
    try {
      const s = JSON.parse(body) as { message?: string };
      if (s.message) return s.message;
    } catch {
      /* not JSON */
    }
    if (body) return body;
  }
  if (body && typeof body === 'object' && 'message' in body) return String(body.message);
  return (e as Error)?.message ?? String(e);
}

/** The error for a non-2xx answer: the Status's message and reason, else the body's start. */
export function statusError(status: number, body: string, what: string): ApiError {
  try {
    const s = JSON.parse(body) as { kind?: string; message?: string; reason?: string; details?: unknown; code?: number };
    if (s.kind === 'Status' && typeof s.message === 'string') return new ApiError(status, s.message, s.reason, s.details);
  } catch {
    /* not a Status */
  }
  return new ApiError(status, `${what}: HTTP ${status}${body ? `: ${body.slice(0, 500)}` : ''}`);
}

/** Patch types (the Content-Type the API server dispatches on: apimachinery/pkg/types/patch.go). */
export const PATCH = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export interface RequestOptionsK {
  body?: unknown;
  contentType?: string;
  /** query parameters (fieldManager, force, dryRun, …) */
  query?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** another keep-alive agent (a watch's own connection) */
  agent?: Agent;
  /** told the request as soon as it is made (to destroy it on stop) */
  onRequest?: (req: ClientRequest) => void;
}

export class KubeClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });

  constructor(readonly config: KubeConfig) {}

  /** The server, for messages. */
  get server(): string {
    return this.config.server;
  }

  get<T = unknown>(path: string, o: RequestOptionsK = {}): Promise<T> {
    return this.json<T>('GET', path, o);
  }

  create<T = unknown>(path: string, body: unknown, o: RequestOptionsK = {}): Promise<T> {
    return this.json<T>('POST', path, { ...o, body });
  }

  /** PUT: with metadata.resourceVersion a compare-and-swap (409 Conflict when someone wrote in between). */
  replace<T = unknown>(path: string, body: unknown, o: RequestOptionsK = {}): Promise<T> {
    return this.json<T>('PUT', path, { ...o, body });
  }

  /** PATCH of the given type; server-side apply needs fieldManager (and force to take fields over). */
  patch<T = unknown>(path: string, body: unknown, type: keyof typeof PATCH, query: Record<string, string | undefined> = {}): Promise<T> {
    return this.json<T>('PATCH', path, { body, contentType: PATCH[type], query });
  }

  /** DELETE, with DeleteOptions (preconditions, propagationPolicy) when given. */
  delete<T = unknown>(path: string, options?: { preconditions?: { uid?: string; resourceVersion?: string }; propagationPolicy?: string }): Promise<T> {
    return this.json<T>('DELETE', path, options ? { body: { apiVersion: 'v1', kind: 'DeleteOptions', ...options } } : {});
  }

  /** A JSON request; its answer parsed, or ApiError for a non-2xx answer. */
  async json<T>(method: string, path: string, o: RequestOptionsK = {}): Promise<T> {
    const { status, text } = await this.raw(method, path, o);
    if (status < 200 || status > 299) throw statusError(status, text, `${method} ${path}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The status and whole body of a request, whatever the status. */
  async raw(method: string, path: string, o: RequestOptionsK = {}): Promise<{ status: number; text: string }> {
    const res = await this.open(method, path, o);
    return { status: res.statusCode ?? 0, text: await readBody(res) };
  }

  /**
   * The response of a request, unread (a watch stream). A 401 tells the credentials (a token file is read
   * again, an exec plugin asked again for the next request: client-go's bearerAuthRoundTripper and exec.go).
   */
  async open(method: string, path: string, o: RequestOptionsK = {}): Promise<IncomingMessage> {
    const c = this.config;
    const creds = await c.credentials();
    const q = o.query ? Object.entries(o.query).filter((e): e is [string, string] => e[1] !== undefined) : [];
    const url = new URL(c.server + path + (q.length ? `${path.includes('?') ? '&' : '?'}${new URLSearchParams(q).toString()}` : ''));
    const data = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    const headers: Record<string, string | number> = { accept: 'application/json', 'user-agent': 'gpu-hpa-webhook' };
    if (creds.token) headers.authorization = `Bearer ${creds.token}`;
    if (data !== undefined) {
      headers['content-type'] = o.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(data);
    }
    const https = url.protocol === 'https:';
    const opts: RequestOptions = {
      method,
      headers,
      agent: https ? (o.agent ?? this.agent) : undefined,
      ...(o.timeoutMs !== undefined ? { timeout: o.timeoutMs } : {}),
      ...(https ? tlsOptions(c, creds) : {}),
    };
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(url, opts, resolve);
      o.onRequest?.(req);
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.origin}${path}: no answer in ${o.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(data);
    });
    if (res.statusCode === 401) c.unauthorized(creds);
    return res;
  }

  /** Close idle kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

function tlsOptions(c: KubeConfig, creds: Credentials): RequestOptions {
  return {
    ...(c.ca !== undefined ? { ca: c.ca } : {}),
    ...(creds.cert !== undefined && creds.key !== undefined ? { cert: creds.cert, key: creds.key } : {}),
    rejectUnauthorized: !c.insecureSkipTlsVerify,
    ...(c.tlsServerName !== undefined ? { servername: c.tlsServerName } : {}),
  };
}

export function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => (res.complete ? undefined : reject(new Error('connection closed before the body ended'))));
  });
}
