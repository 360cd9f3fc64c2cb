// A benchmarked server, in a process of its own: `webhook` (the real app and HTTPS listener, as
// `serve` wires them, logging to stdout), `shell` (the same with an engine that allows everything:
// what the HTTP shell costs without the decision) or `floor` (a bare Node HTTPS server that reads and
// JSON-parses the body and answers allowed — the least any webhook must do). Tells the parent its
// port over IPC. It runs compiled (see run.ts), without tsx, so its RSS is what production's is.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/server/app.js';
import { createLogger } from '../src/server/logger.js';
import { createMetrics } from '../src/server/metrics.js';
import { startServer } from '../src/server/serve.js';
import { compileAdapterConfig } from '../src/core/adapter/registry.js';
import { staticClusterView } from '../src/core/cluster.js';
import type { Engine } from '../src/core/admission/request.js';
import type { Deployment } from '../src/core/k8s-types.js';
import { createEngine } from '../src/core/engine.js';
import { parsePolicyText } from '../src/loaders/policy.js';
import type { WorkloadConfig } from './workload.js';

const [kind, certDir, workloadFile] = process.argv.slice(2);
if ((kind !== 'webhook' && kind !== 'shell' && kind !== 'floor') || !certDir || !workloadFile) {
  console.error('usage: server.js webhook|shell|floor CERT_DIR WORKLOAD_JSON');
  process.exit(2);
}
const key = readFileSync(`${certDir}/tls.key`);
const cert = readFileSync(`${certDir}/tls.crt`);

let port: number;
if (kind === 'webhook' || kind === 'shell') {
  const w = JSON.parse(readFileSync(workloadFile, 'utf8')) as WorkloadConfig;
  // a fresh decision per review, as the real engine makes
  const allowAll = () => ({ allowed: true, violations: [], warnings: [] });
  const engine: Engine = kind === 'shell' ? { mutate: allowAll, validate: allowAll } : createEngine({
    policy: parsePolicyText(w.policyText, 'policies/default.yaml'),
    rules: compileAdapterConfig(w.rulesText, 'policies/prometheus-adapter-rules.yaml'),
    cluster: staticClusterView({ deployments: w.deployments as Deployment[], hpas: [] }),
  });
  const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'info' });
  const app = createApp({ engine: () => engine, ready: () => ({ ready: true }), logger, metrics: createMetrics() });
  const running = await startServer({ port: 0, host: '127.0.0.1', tls: { key, cert }, app, logger });
  port = running.address.port;
} else {
  const server = https.createServer({ key, cert, minVersion: 'TLSv1.2' }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { apiVersion: string; kind: string; request: { uid: string } };
      const body = JSON.stringify({ apiVersion: review.apiVersion, kind: review.kind, response: { uid: review.request.uid, allowed: true } });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}
process.send?.({ port });
// the parent asks for the memory breakdown after the load (RSS alone does not say what grew)
process.on('message', (m) => {
  if (m === 'mem') process.send?.({ mem: process.memoryUsage() });
});
process.on('disconnect', () => process.exit(0));
