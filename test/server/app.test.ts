import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import http, { type Server } from 'node:http';
import request from 'supertest';
import fc from 'fast-check';
import type { Operation } from 'fast-json-patch';
import type { Decision } from '../../src/core/admission/decision.js';
import type { AdmissionRequest, Engine } from '../../src/core/admission/request.js';
import { createApp, type AppDeps } from '../../src/server/app.js';
import { editAt } from '../helpers/json-edit.js';
import { createLogger } from '../../src/server/logger.js';
import { createMetrics, type WebhookMetrics } from '../../src/server/metrics.js';
import { metricsHandler } from '../../src/server/metrics-server.js';

const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';
const SECRET = 'sk-live-0123456789abcdef';

function review(request: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: UID,
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: 'llm',
      namespace: 'team-a',
      operation: 'CREATE',
      dryRun: true,
      object: {
        metadata: { name: 'llm', labels: { 'gpu-hpa.io/enabled': 'true' } },
        spec: { template: { spec: { containers: [{ name: 'srv', env: [{ name: 'API_KEY', value: SECRET }] }] } } },
      },
      ...request,
    },
  };
}

const hpaKind = { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' };
const hpaResource = { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' };

/** A fake Engine: records what it was asked, answers what the test says. */
function fakeEngine(decide: (endpoint: 'mutate' | 'validate', req: AdmissionRequest) => Decision) {
  const calls: { endpoint: string; req: AdmissionRequest }[] = [];
  const engine: Engine = {
    mutate: (req) => {
      calls.push({ endpoint: 'mutate', req });
      return decide('mutate', req);
    },
    validate: (req) => {
      calls.push({ endpoint: 'validate', req });
      return decide('validate', req);
    },
  };
  return { engine, calls };
}

const allowAll = () => ({ allowed: true, violations: [], warnings: [] });

function setup(decide: (endpoint: 'mutate' | 'validate', req: AdmissionRequest) => Decision = allowAll, extra: Partial<AppDeps> = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  const metrics: WebhookMetrics = createMetrics({ defaultMetrics: false });
  const { engine, calls } = fakeEngine(decide);
  const app = createApp({ engine: () => engine, ready: () => ({ ready: true }), logger, metrics, ...extra });
  return { app, metrics, calls, lines, logger };
}

/**
 * POST exact bytes: superagent serialises a Buffer as JSON ({"type":"Buffer",…}) when the
 * Content-Type is JSON, so bodies that must arrive byte for byte go through node:http.
 */
async function rawPost(app: ReturnType<typeof setup>['app'] | Server, path: string, contentType: string | undefined, body: Buffer) {
  const srv = app instanceof http.Server ? app : undefined;
  const server = app instanceof http.Server ? app : app.listen(0, '127.0.0.1');
  if (!server.listening) await new Promise((r) => server.once('listening', r));
  try {
    return await new Promise<{ status: number; contentType: string; body: Record<string, unknown> }>((resolve, reject) => {
      const headers: Record<string, string | number> = { 'Content-Length': body.length };
      if (contentType !== undefined) headers['Content-Type'] = contentType;
      const req = http.request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST', path, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: JSON.parse(text) });
          } catch {
            reject(new Error(`not JSON (HTTP ${res.statusCode}): ${text.slice(0, 300)}`));
          }
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    if (!srv) server.close();
  }
}

const json = (app: ReturnType<typeof setup>['app'], path: string, body: unknown) => request(app).post(path).set('Content-Type', 'application/json').send(JSON.stringify(body));

test('echoes apiVersion, kind and uid on both endpoints and hands the request to the engine', async () => {
  const { app, calls } = setup();
  for (const path of ['/mutate', '/validate']) {
    const res = await json(app, path, review());
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(res.body.apiVersion, 'admission.k8s.io/v1');
    assert.equal(res.body.kind, 'AdmissionReview');
    assert.equal(res.body.response.uid, UID);
    assert.equal(res.body.response.allowed, true);
  }
  assert.deepEqual(
    calls.map((c) => c.endpoint),
    ['mutate', 'validate'],
  );
  assert.equal(calls[0]?.req.uid, UID);
  assert.equal(calls[0]?.req.namespace, 'team-a');
});

test('400 for a body that is not JSON, naming the position', async () => {
  const { app, calls, metrics } = setup();
  const res = await request(app).post('/mutate').set('Content-Type', 'application/json').send('{"apiVersion": admission}');
  assert.equal(res.status, 400);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(res.body.code, 400);
  assert.equal(res.body.reason, 'BadRequest');
  assert.match(res.body.message, /invalid JSON at line 1, column 16 \(position 15\)/);
  assert.equal(calls.length, 0);
  assert.match(await metrics.registry.metrics(), /gpu_hpa_webhook_bad_requests_total\{endpoint="mutate",code="400"\} 1/);
});

test('400 for JSON that is not an AdmissionReview, naming the field', async () => {
  const { app } = setup();
  const r = review();
  delete (r.request as Record<string, unknown>).uid;
  const res = await json(app, '/validate', r);
  assert.equal(res.status, 400);
  assert.match(res.body.message, /request\.uid: required/);
  const res2 = await json(app, '/validate', { ...review(), apiVersion: 'admission.k8s.io/v1beta1' });
  assert.equal(res2.status, 400);
  assert.match(res2.body.message, /v1beta1 is not supported/);
  const res3 = await json(app, '/validate', [1, 2]);
  assert.equal(res3.status, 400);
  assert.match(res3.body.message, /body: expected an AdmissionReview object, got array/);
});

test('400 for an empty body and for bytes that are not UTF-8', async () => {
  const { app } = setup();
  const empty = await rawPost(app, '/mutate', 'application/json', Buffer.alloc(0));
  assert.equal(empty.status, 400);
  assert.match(String(empty.body.message), /empty/);
  const bad = await rawPost(app, '/mutate', 'application/json', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
  assert.equal(bad.status, 400);
  assert.match(String(bad.body.message), /UTF-8/);
});

test('415 for a wrong or missing Content-Type, a foreign charset, or a compressed body', async () => {
  const { app, calls } = setup();
  const body = JSON.stringify(review());
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/json-patch+json', 'application/json; charset=latin1']) {
    const res = await request(app).post('/mutate').set('Content-Type', ct).send(body);
    assert.equal(res.status, 415, ct);
    assert.equal(res.body.reason, 'UnsupportedMediaType');
  }
  const none = await rawPost(app, '/mutate', undefined, Buffer.from(body));
  assert.equal(none.status, 415);
  const gz = await request(app).post('/mutate').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(body);
  assert.equal(gz.status, 415);
  assert.match(gz.body.message, /Content-Encoding/);
  assert.equal(calls.length, 0);
  // the accepted spellings
  for (const ct of ['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
    const res = await request(app).post('/mutate').set('Content-Type', ct).send(body);
    assert.equal(res.status, 200, ct);
  }
});

test('413 for a 4 MiB body, and the limit is configurable', async () => {
  const { app, calls, metrics } = setup();
  const big = JSON.stringify({ ...review(), padding: 'x'.repeat(4 * 1024 * 1024) });
  const res = await request(app).post('/mutate').set('Content-Type', 'application/json').send(big);
  assert.equal(res.status, 413);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(res.body.reason, 'RequestEntityTooLarge');
  assert.match(res.body.message, /3145728 bytes/);
  assert.equal(calls.length, 0);
  assert.match(await metrics.registry.metrics(), /gpu_hpa_webhook_bad_requests_total\{endpoint="mutate",code="413"\} 1/);

  const small = setup(allowAll, { bodyLimitBytes: 100 });
  const res2 = await json(small.app, '/mutate', review());
  assert.equal(res2.status, 413);
  // just under 3 MiB still goes through with the default
  const ok = await request(app)
    .post('/mutate')
    .set('Content-Type', 'application/json')
    .send(JSON.stringify({ ...review(), padding: 'x'.repeat(3 * 1024 * 1024 - 1000) }));
  assert.equal(ok.status, 200);
});

test('a kind it does not handle is allowed without a patch and without asking the engine', async () => {
  const patch: Operation[] = [{ op: 'add', path: '/x', value: 1 }];
  const { app, calls } = setup(() => ({ allowed: false, violations: [{ reason: 'duplicate-hpa', message: 'm' }], warnings: [], patch }));
  const res = await json(app, '/mutate', review({ kind: { group: '', version: 'v1', kind: 'ConfigMap' }, resource: { group: '', version: 'v1', resource: 'configmaps' } }));
  assert.equal(res.status, 200);
  assert.equal(res.body.response.allowed, true);
  assert.equal(res.body.response.patch, undefined);
  assert.equal(res.body.response.uid, UID);
  // a Deployment/HPA in a version the engine does not read: allowed, with a warning that says so
  const v1 = await json(app, '/validate', review({ kind: { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' }, resource: hpaResource }));
  assert.equal(v1.body.response.allowed, true);
  assert.match(v1.body.response.warnings[0], /autoscaling\/v1 HorizontalPodAutoscaler not checked/);
  // a subresource (e.g. deployments/scale) carries a Scale, not a Deployment
  const scale = await json(app, '/validate', review({ subResource: 'scale' }));
  assert.equal(scale.body.response.allowed, true);
  assert.equal(calls.length, 0);
});

test('DELETE and CONNECT are allowed without asking the engine', async () => {
  const { app, calls } = setup(() => {
    throw new Error('the engine must not be asked');
  });
  for (const operation of ['DELETE', 'CONNECT']) {
    for (const path of ['/mutate', '/validate']) {
      const res = await json(app, path, review({ operation, object: null, oldObject: { metadata: { name: 'llm' } } }));
      assert.equal(res.status, 200);
      assert.equal(res.body.response.allowed, true, `${operation} ${path}`);
      assert.equal(res.body.response.patch, undefined);
    }
  }
  assert.equal(calls.length, 0);
});

test('HPAs are handed to the engine', async () => {
  const { app, calls } = setup();
  const res = await json(app, '/validate', review({ kind: hpaKind, resource: hpaResource, operation: 'UPDATE' }));
  assert.equal(res.status, 200);
  assert.equal(calls[0]?.req.kind.kind, 'HorizontalPodAutoscaler');
  assert.equal(calls[0]?.req.operation, 'UPDATE');
});

test('the patch is base64 JSONPatch and round-trips; none from /validate', async () => {
  const patch: Operation[] = [
    { op: 'add', path: '/spec/template/spec/tolerations', value: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
    { op: 'add', path: '/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu', value: '1' },
  ];
  const { app, metrics } = setup(() => ({ allowed: true, violations: [], warnings: [], patch }));
  const res = await json(app, '/mutate', review());
  assert.equal(res.body.response.patchType, 'JSONPatch');
  assert.deepEqual(JSON.parse(Buffer.from(res.body.response.patch, 'base64').toString('utf8')), patch);
  const v = await json(app, '/validate', review());
  assert.equal(v.body.response.patch, undefined);
  assert.equal(v.body.response.patchType, undefined);
  const text = await metrics.registry.metrics();
  assert.match(text, /gpu_hpa_webhook_admission_reviews_total\{endpoint="mutate",kind="Deployment",decision="patched"\} 1/);
  assert.match(text, /gpu_hpa_webhook_admission_reviews_total\{endpoint="validate",kind="Deployment",decision="allowed"\} 1/);
});

test('a denial is a 403-coded response with the messages and causes, counted by reason', async () => {
  const { app, metrics } = setup(() => ({
    allowed: false,
    violations: [
      { reason: 'metric-not-served', message: 'metric "gpu_util" is not served by any adapter rule', field: 'spec.metrics[0].pods.metric.name' },
      { reason: 'unsafe-scale-down-stabilization', message: 'scaleDown stabilizationWindowSeconds 0 is below 300' },
    ],
    warnings: [],
  }));
  const res = await json(app, '/validate', review({ kind: hpaKind, resource: hpaResource }));
  assert.equal(res.status, 200);
  const r = res.body.response;
  assert.equal(r.allowed, false);
  assert.equal(r.status.code, 403);
  assert.equal(r.status.reason, 'Forbidden');
  assert.match(r.status.message, /gpu_util.*; \(2\) scaleDown/);
  assert.equal(r.status.details.causes[0].field, 'spec.metrics[0].pods.metric.name');
  const text = await metrics.registry.metrics();
  assert.match(text, /gpu_hpa_webhook_admission_denials_total\{endpoint="validate",reason="metric-not-served"\} 1/);
  assert.match(text, /gpu_hpa_webhook_admission_denials_total\{endpoint="validate",reason="unsafe-scale-down-stabilization"\} 1/);
  assert.match(text, /gpu_hpa_webhook_admission_reviews_total\{endpoint="validate",kind="HorizontalPodAutoscaler",decision="denied"\} 1/);
});

test('warnings are clipped to 120 characters', async () => {
  const { app } = setup(() => ({ allowed: true, violations: [], warnings: ['x'.repeat(500), 'fine'] }));
  const res = await json(app, '/validate', review());
  assert.equal(res.body.response.warnings.length, 2);
  assert.equal(res.body.response.warnings[0].length, 120);
  assert.equal(res.body.response.warnings[1], 'fine');
});

test('an engine that throws gets a 500-coded response with the uid; the server stays up', async () => {
  let fail = true;
  const { app, metrics, lines } = setup(() => {
    if (fail) throw new TypeError("Cannot read properties of undefined (reading 'spec')");
    return { allowed: true, violations: [], warnings: [] };
  });
  const res = await json(app, '/mutate', review());
  assert.equal(res.status, 200);
  assert.equal(res.body.kind, 'AdmissionReview');
  assert.equal(res.body.response.uid, UID);
  assert.equal(res.body.response.allowed, false);
  assert.equal(res.body.response.status.code, 500);
  assert.match(res.body.response.status.message, /internal error: Cannot read properties/);
  assert.doesNotMatch(JSON.stringify(res.body), /at .*\.ts:\d+/); // no stack to the client
  const logged = lines.find((l) => l.msg === 'engine failed');
  assert.ok(logged, 'the failure is logged');
  assert.match(String((logged.err as { stack?: string }).stack), /TypeError/);
  fail = false;
  const again = await json(app, '/mutate', review());
  assert.equal(again.body.response.allowed, true);
  const text = await metrics.registry.metrics();
  assert.match(text, /gpu_hpa_webhook_admission_reviews_total\{endpoint="mutate",kind="Deployment",decision="error"\} 1/);
  assert.match(text, /gpu_hpa_webhook_admission_in_flight 0/);
});

test('an engine getter that throws, or a malformed decision, is a 500-coded response too', async () => {
  const { logger } = setup();
  const metrics = createMetrics({ defaultMetrics: false });
  const app = createApp({
    engine: () => {
      throw new Error('policy not loaded');
    },
    ready: () => ({ ready: false }),
    logger,
    metrics,
  });
  const res = await json(app, '/validate', review());
  assert.equal(res.body.response.status.code, 500);
  assert.equal(res.body.response.uid, UID);
  const weird = createApp({ engine: () => ({ mutate: () => undefined as unknown as Decision, validate: () => ({}) as Decision }), ready: () => ({ ready: true }), logger, metrics });
  for (const path of ['/mutate', '/validate']) {
    const r = await json(weird, path, review());
    assert.equal(r.body.response.status.code, 500, path);
    assert.match(r.body.response.status.message, /malformed decision/);
  }
});

test('one log line per review with the fields, and never the object', async () => {
  const { app, lines } = setup(() => ({ allowed: false, violations: [{ reason: 'gpu-count-conflict', message: 'asks for 2 GPUs' }], warnings: ['w'] }));
  await json(app, '/mutate', review());
  const reviews = lines.filter((l) => l.msg === 'admission review');
  assert.equal(reviews.length, 1);
  const l = reviews[0] as Record<string, unknown>;
  assert.equal(l.uid, UID);
  assert.equal(l.kind, 'apps/v1/Deployment');
  assert.equal(l.namespace, 'team-a');
  assert.equal(l.name, 'llm');
  assert.equal(l.operation, 'CREATE');
  assert.equal(l.dryRun, true);
  assert.equal(l.decision, 'denied');
  assert.deepEqual(l.reasons, ['gpu-count-conflict']);
  assert.equal(l.warnings, 1);
  assert.equal(typeof l.latencyMs, 'number');
  assert.equal(l.service, 'gpu-hpa-webhook');
  assert.equal(l.level, 'info');
  // a bad request with the secret in it is logged without the body either
  await request(app).post('/mutate').set('Content-Type', 'application/json').send(`{"env":"${SECRET}",}`);
  assert.doesNotMatch(JSON.stringify(lines), new RegExp(SECRET));
});

test('the review log line is bounded whatever names a forged review carries (issue 17)', async () => {
  const { app, lines } = setup();
  const long = 'n'.repeat(100_000);
  await json(app, '/validate', review({ name: long, namespace: long, uid: long }));
  const l = lines.find((x) => x.msg === 'admission review');
  assert.ok(l, 'a review line');
  const size = JSON.stringify(l).length;
  assert.ok(size < 4096, `log line of ${size} characters`);
  assert.match(String(l.name), /^n+…\(99,747 more characters\)$/);
});

test('/metrics exposes the series after a review, with the right labels', async () => {
  const lines: string[] = [];
  const metrics = createMetrics(); // with the default process metrics
  const { engine } = fakeEngine(allowAll);
  const app = createApp({ engine: () => engine, ready: () => ({ ready: true }), logger: createLogger({ destination: { write: (s: string) => void lines.push(s) } }), metrics });
  await json(app, '/validate', review({ kind: hpaKind, resource: hpaResource }));
  await request(app).post('/validate').set('Content-Type', 'text/plain').send('x');
  const scrape = () => request(metricsHandler(metrics.registry)).get('/metrics'); // its own port in `serve`
  const res = await scrape();
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'] ?? '', /^text\/plain; version=0\.0\.4/);
  const text = res.text;
  assert.match(text, /gpu_hpa_webhook_admission_reviews_total\{endpoint="validate",kind="HorizontalPodAutoscaler",decision="allowed"\} 1/);
  assert.match(text, /gpu_hpa_webhook_admission_review_duration_seconds_bucket\{le="0.0001",endpoint="validate"\} \d/);
  assert.match(text, /gpu_hpa_webhook_admission_review_duration_seconds_count\{endpoint="validate"\} 1/);
  assert.match(text, /gpu_hpa_webhook_admission_in_flight 0/);
  assert.match(text, /gpu_hpa_webhook_bad_requests_total\{endpoint="validate",code="415"\} 1/);
  assert.match(text, /# TYPE gpu_hpa_webhook_config_reloads_total counter/);
  assert.match(text, /# TYPE gpu_hpa_webhook_config_last_reload_success_timestamp_seconds gauge/);
  assert.match(text, /# TYPE gpu_hpa_webhook_tls_reloads_total counter/);
  assert.match(text, /process_cpu_seconds_total/);
  // the kind label is bounded: a client-chosen kind is "other"
  await json(app, '/validate', review({ kind: { group: 'x', version: 'v1', kind: 'Weird' + Math.random() } }));
  assert.match((await scrape()).text, /kind="other",decision="allowed"\} 1/);
  // not on the review port
  assert.equal((await request(app).get('/metrics')).status, 404);
});

test('/healthz always 200; /readyz 503 with the reason, then 200', async () => {
  let state: { ready: boolean; reason?: string } = { ready: false, reason: 'adapter rules not loaded yet' };
  const { app } = setup(allowAll, { ready: () => state });
  const h = await request(app).get('/healthz');
  assert.equal(h.status, 200);
  assert.equal(h.text, 'ok');
  const r1 = await request(app).get('/readyz');
  assert.equal(r1.status, 503);
  assert.match(r1.text, /adapter rules not loaded yet/);
  state = { ready: true };
  const r2 = await request(app).get('/readyz');
  assert.equal(r2.status, 200);
  assert.equal(r2.text, 'ok');
});

test('a readiness check that throws is 503, not 500', async () => {
  const { app } = setup(allowAll, {
    ready: () => {
      throw new Error('cache not synced');
    },
  });
  const r = await request(app).get('/readyz');
  assert.equal(r.status, 503);
  assert.match(r.text, /cache not synced/);
});

test('unknown routes are 404 JSON; a wrong method is 405 with Allow', async () => {
  const { app } = setup();
  const nf = await request(app).get('/admission');
  assert.equal(nf.status, 404);
  assert.match(nf.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(nf.body.reason, 'NotFound');
  const m = await request(app).get('/mutate');
  assert.equal(m.status, 405);
  assert.equal(m.headers.allow, 'POST');
  assert.match(m.headers['content-type'] ?? '', /^application\/json/);
  const p = await request(app).post('/healthz');
  assert.equal(p.status, 405);
  assert.equal(p.headers.allow, 'GET, HEAD');
  const d = await request(app).delete('/validate');
  assert.equal(d.status, 405);
  assert.equal(d.headers['x-powered-by'], undefined);
});

test('an error deep in a route is 500 JSON without a stack, never an HTML page', async () => {
  const { logger } = setup();
  const metrics = createMetrics({ defaultMetrics: false });
  const broken = {
    ...metrics,
    inFlight: Object.assign(Object.create(metrics.inFlight), {
      inc: () => {
        throw new Error('collector exploded');
      },
    }),
  };
  const app = createApp({ engine: () => fakeEngine(allowAll).engine, ready: () => ({ ready: true }), logger, metrics: broken });
  const res = await request(app).post('/validate/').set('Content-Type', 'application/json').send('{}');
  assert.equal(res.status, 500);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  assert.deepEqual(res.body, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, reason: 'InternalError', message: 'internal error' });
  assert.doesNotMatch(res.text, /<html|<pre|collector exploded/i);
});

// ----- property: nothing a client sends gets an HTTP 5xx -----

let server: Server | undefined;
after(() => {
  server?.closeAllConnections();
  server?.close();
});

test('arbitrary bodies, content types and corrupted reviews never get an HTTP 5xx (property)', async () => {
  // an engine that reads the object carelessly, as a buggy rule might: it may throw
  const { app } = setup((_e, req) => {
    const o = req.object as { spec: { template: { spec: { containers: unknown[] } } } };
    return { allowed: o.spec.template.spec.containers.length > 0, violations: [{ reason: 'duplicate-hpa', message: 'm' }], warnings: [] };
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server?.once('listening', r));
  const listening = server;

  const contentType = fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'text/plain',
      'application/json;',
      'application/json; charset',
      ';',
      'multipart/form-data; boundary=x',
    ),
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  );
  const paths = [
    'apiVersion',
    'kind',
    'request',
    'request.uid',
    'request.kind',
    'request.kind.kind',
    'request.kind.group',
    'request.resource',
    'request.operation',
    'request.name',
    'request.namespace',
    'request.object',
    'request.object.spec',
    'request.object.spec.template',
    'request.dryRun',
    'request.subResource',
    'request.oldObject',
    'request.__proto__',
    'request.kind.constructor',
  ];
  const corruptedReview = fc
    .tuple(
      fc.constantFrom(...paths),
      fc.option(fc.anything({ withNullPrototype: true, withObjectString: true }), { nil: undefined }),
      fc.constantFrom(...(['/mutate', '/validate'] as const)),
      fc.constantFrom('Deployment', 'HorizontalPodAutoscaler'),
    )
    .map(([path, value, endpoint, kind]) => {
      const r = review(kind === 'Deployment' ? {} : { kind: hpaKind, resource: hpaResource });
      editAt(r, path, value); // a path through a non-object leaves the review as it is
      return { endpoint, body: JSON.stringify(r) ?? 'null' };
    });
  const anyBody = fc
    .tuple(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
      fc.constantFrom(...(['/mutate', '/validate'] as const)),
    )
    .map(([body, endpoint]) => ({ endpoint, body }));
  const bytes = fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...(['/mutate', '/validate'] as const))).map(([b, endpoint]) => ({ endpoint, body: Buffer.from(b) }));

  let twoHundreds = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof({ weight: 4, arbitrary: corruptedReview }, { weight: 1, arbitrary: anyBody }, { weight: 1, arbitrary: bytes }),
      fc.oneof({ weight: 3, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: contentType }),
      async ({ endpoint, body }, ct) => {
        const res = await rawPost(listening, endpoint, ct, typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
        assert.ok(res.status < 500, `HTTP ${res.status} for ${ct} ${String(body).slice(0, 200)}: ${JSON.stringify(res.body).slice(0, 300)}`);
        assert.match(res.contentType, /^application\/json/);
        if (res.status === 200) {
          twoHundreds++;
          const response = res.body.response as { uid: unknown; allowed: unknown };
          assert.equal(res.body.kind, 'AdmissionReview');
          assert.equal(typeof response.uid, 'string');
          assert.equal(typeof response.allowed, 'boolean');
        } else {
          assert.equal(res.body.kind, 'Status');
          assert.equal(typeof res.body.message, 'string');
        }
      },
    ),
    { numRuns: 400 },
  );
  // the generator must reach the engine often enough for the property to mean something
  assert.ok(twoHundreds > 40, `only ${twoHundreds} reviews reached a decision`);
});

test('the in-flight gauge counts a review while its body is still arriving', async () => {
  const { app, metrics } = setup();
  const srv = app.listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  try {
    const body = Buffer.from(JSON.stringify(review()));
    const gauge = async () => (await metrics.inFlight.get()).values[0]?.value;
    // the server's own events: its request listener has run (headers in, body not), and the response is closed
    // (listeners run in order, so the app's own, which moves the gauge, has run before these)
    const served = new Promise<void>((resolve) => srv.once('request', (_q: http.IncomingMessage, res: http.ServerResponse) => res.once('close', () => resolve())));
    const headersIn = new Promise<void>((resolve) => srv.once('request', () => resolve()));
    const done = new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: (srv.address() as AddressInfo).port, method: 'POST', path: '/mutate', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      void headersIn.then(async () => {
        try {
          assert.equal(await gauge(), 1);
          req.end(body.subarray(10));
        } catch (e) {
          req.destroy();
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
    assert.equal(await done, 200);
    await served;
    assert.equal(await gauge(), 0);
  } finally {
    srv.closeAllConnections();
    srv.close();
  }
});

test('trailing slashes and query strings take the same review path: the same answers, checks and errors', async () => {
  const { app, calls, metrics } = setup();
  for (const path of ['/mutate/', '/validate//', '/mutate?timeout=10s']) {
    const ok = await json(app, path, review());
    assert.equal(ok.status, 200, path);
    assert.equal(ok.body.response.uid, UID, path);
    const ct = await request(app).post(path).set('Content-Type', 'text/plain').send('{}');
    assert.equal(ct.status, 415, path);
    assert.equal(ct.body.reason, 'UnsupportedMediaType', path);
    const notJson = await request(app).post(path).set('Content-Type', 'application/json').send('{');
    assert.equal(notJson.status, 400, path);
    const get = await request(app).get(path);
    assert.equal(get.status, 405, path);
    assert.equal(get.headers.allow, 'POST', path);
  }
  const small = setup(allowAll, { bodyLimitBytes: 100 });
  const big = await json(small.app, '/validate/', review());
  assert.equal(big.status, 413);
  assert.equal(big.body.reason, 'RequestEntityTooLarge');
  assert.deepEqual(
    calls.map((c) => c.endpoint),
    ['mutate', 'validate', 'mutate'],
  );
  assert.match(await metrics.registry.metrics(), /gpu_hpa_webhook_bad_requests_total\{endpoint="mutate",code="415"\} 2/);
  const health = await request(app).get('/healthz/');
  assert.equal(health.status, 200);
  const head = await request(app).head('/readyz');
  assert.equal(head.status, 200);
});
