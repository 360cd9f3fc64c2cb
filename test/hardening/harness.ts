// Shared by the hardening tests: a real HTTPS webhook on 127.0.0.1 (the real app, engine and
// listener), a self-signed certificate, and an HTTPS client that reports outcomes instead of throwing.
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import { staticClusterView } from '../../src/core/cluster.js';
import { createEngine } from '../../src/core/engine.js';
import { createApp } from '../../src/server/app.js';
import { silentLogger } from '../../src/server/logger.js';
import { createMetrics } from '../../src/server/metrics.js';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server/serve.js';
import { defaultPolicy, fixture, plainDeployment } from '../helpers/fixtures.js';
import { SHIPPED_RULES } from '../helpers/webhook.js';

export { makeCert, type Pems } from '../helpers/tls.js';

/** The webhook as `serve` runs it (shipped rules, embedded policy), listening on 127.0.0.1. */
export async function startWebhook(tls: StartServerOptions['tls'], extra: Partial<StartServerOptions> = {}): Promise<RunningServer> {
  const engine = createEngine({
    policy: defaultPolicy(),
    rules: compileAdapterConfig(SHIPPED_RULES, 'shipped rules'),
    cluster: staticClusterView({ deployments: [fixture('seed-000/deployment.yaml'), plainDeployment()], hpas: [] }),
  });
  const app = createApp({ engine: () => engine, ready: () => ({ ready: true }), logger: silentLogger(), metrics: createMetrics({ defaultMetrics: false }) });
  return startServer({ port: 0, host: '127.0.0.1', tls, app, logger: silentLogger(), ...extra });
}

export interface Outcome {
  /** HTTP status, or 0 when no response came */
  status: number;
  body: string;
  headers: IncomingHttpHeaders;
  /** the transport error when no response came (ECONNREFUSED, ECONNRESET, ...) */
  error?: string;
  /** SHA-256 fingerprint of the certificate the server presented */
  fingerprint?: string;
}

export interface RequestOptions {
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  ca?: string | string[];
  agent?: https.Agent | false;
  /** give up (status 0, error "hang") after this long: a hang detector, not a timing assertion */
  hangMs?: number;
}

export function request(url: string, opts: RequestOptions = {}): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let fingerprint: string | undefined;
    const req = https.request(
      url,
      {
        method: opts.method ?? 'POST',
        headers: { 'Content-Type': 'application/json', ...opts.headers },
        ca: opts.ca,
        rejectUnauthorized: opts.ca !== undefined,
        agent: opts.agent ?? false,
      },
      (res) => {
        fingerprint = (res.socket as TLSSocket).getPeerCertificate?.()?.fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers, fingerprint }));
        res.on('error', (e) => resolve({ status: 0, body: '', headers: {}, error: (e as NodeJS.ErrnoException).code ?? e.message }));
      },
    );
    req.on('error', (e) => resolve({ status: 0, body: '', headers: {}, error: (e as NodeJS.ErrnoException).code ?? e.message }));
    if (opts.hangMs !== undefined) {
      req.setTimeout(opts.hangMs, () => {
        req.destroy();
        resolve({ status: 0, body: '', headers: {}, error: 'hang' });
      });
    }
    req.end(opts.body);
  });
}

/** A slow client's pace between two writes: the input under test, not a wait for an event. */
export const pace = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Retry until check() is truthy (bounded: throws with the last value after `tries`). Only for a state
 * nothing announces (no log line, no event); wait on the event where there is one.
 */
export async function eventually<T>(what: string, probe: () => Promise<T>, check: (v: T) => boolean, tries = 100, everyMs = 100): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await probe();
    if (check(last)) return last;
    await pace(everyMs);
  }
  throw new Error(`${what}: not after ${tries} tries; last: ${JSON.stringify(last)?.slice(0, 500)}`);
}

/** A port nobody listens on right now (the kernel's pick, released for the child to take). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface ServeProcess {
  child: import('node:child_process').ChildProcess;
  url: string;
  /** the generated CA, to verify the serving certificate */
  ca: string;
  /** stdout so far: the JSON log lines */
  logs: () => string;
  /**
   * The first log line at or after offset `from` (a logs().length) that `match` accepts, as soon as serve
   * writes it; rejects when serve exits first or nothing matches within `ms` (a safety net, not a wait).
   */
  logLine: (what: string, match: (line: string) => boolean, from?: number, ms?: number) => Promise<string>;
  /** GET /metrics on the plain-HTTP metrics port (--metrics-port) */
  metrics: () => Promise<string>;
  exited: Promise<number | null>;
}

/** The real CLI, `serve`, as a child process on 127.0.0.1 with a generated certificate; resolves once /healthz answers. */
export async function spawnServe(certDir: string, extraArgs: string[] = []): Promise<ServeProcess> {
  const { spawn } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const port = await freePort();
  const metricsPort = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', String(port), '--metrics-port', String(metricsPort), '--cert-dir', certDir, ...extraArgs],
    {
      cwd: new URL('../../', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBERNETES_SERVICE_HOST: '' },
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `https://127.0.0.1:${port}`;
  const logLine = (what: string, match: (line: string) => boolean, from = 0, ms = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const find = () =>
        out
          .slice(from)
          .split('\n')
          .find((l) => l.endsWith('}') && match(l));
      const done = (fn: () => void) => {
        child.stdout.off('data', onData);
        clearTimeout(timer);
        fn();
      };
      const onData = () => {
        const line = find();
        if (line !== undefined) done(() => resolve(line));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`serve: no log line ${what} within ${ms} ms: ${err.slice(-2000)}\n${out.slice(-2000)}`))), ms);
      void exited.then((code) => done(() => reject(new Error(`serve exited (${code}) before the log line ${what}: ${err.slice(-2000)}\n${out.slice(-2000)}`))));
      // registered after the harness's own listener, which appends the chunk to `out` first
      child.stdout.on('data', onData);
      onData();
    });
  // its last startup line: both listeners are bound, the webhook's and the metrics one
  try {
    await logLine('"gpu-hpa-webhook serving"', (l) => l.includes('"msg":"gpu-hpa-webhook serving"'));
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const metrics = async () => {
    const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    return r.text();
  };
  // with --tls-cert/--tls-key nothing is generated into certDir
  let ca = '';
  try {
    ca = readFileSync(`${certDir}/ca.crt`, 'utf8');
  } catch {
    // no generated CA
  }
  return { child, url, ca, logs: () => out, logLine, metrics, exited };
}

/** One sample's value from Prometheus text (0 when the series is absent). */
export function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
