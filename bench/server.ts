// A benchmarked server, in a process of its own: `webhook` (the real app and HTTPS listener, as
// `serve` wires them, logging to stdout), `shell` (the same with an engine that allows everything:
// what the HTTP shell costs without the decision), `floor` (a bare Node HTTPS server that reads and
// JSON-parses the body and answers allowed — the least any webhook must do) or `answer-floor` (the
// floor answering with the webhook's own answer, byte for byte, and writing the webhook's own log
// line to stdout: what sending a denial's larger answer and the log line cost, with nothing
// decided). Tells the parent its port over IPC. It runs compiled (see run.ts), without tsx, so its
// RSS is what production's is.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import v8 from 'node:v8';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/server/app.js';
import { createLogger, stdoutDestination } from '../src/server/logger.js';
import { createMetrics } from '../src/server/metrics.js';
import { startServer } from '../src/server/serve.js';
import type { Engine } from '../src/core/admission/request.js';
import type { Scenario } from './workload.js';
import { webhookEngine, type WorkloadConfig } from './webhook-engine.js';

const [kind, certDir, workloadFile] = process.argv.slice(2);
if ((kind !== 'webhook' && kind !== 'shell' && kind !== 'floor' && kind !== 'answer-floor') || !certDir || !workloadFile) {
  console.error('usage: server.js webhook|shell|floor|answer-floor CERT_DIR WORKLOAD_JSON');
  process.exit(2);
}
const key = readFileSync(`${certDir}/tls.key`);
const cert = readFileSync(`${certDir}/tls.crt`);

// the scenarios come in the file: the compiled server cannot read the test fixtures itself
const w = JSON.parse(readFileSync(workloadFile, 'utf8')) as WorkloadConfig & { scenarios: Scenario[] };
const realEngine = (): Engine => webhookEngine(w);

interface Review {
  apiVersion: string;
  kind: string;
  request: { uid: string };
}

let port: number;
if (kind === 'webhook' || kind === 'shell') {
  // a fresh decision per review, as the real engine makes
  const allowAll = () => ({ allowed: true, violations: [], warnings: [] });
  const engine: Engine = kind === 'shell' ? { mutate: allowAll, validate: allowAll } : realEngine();
  const logger = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'info' });
  const app = createApp({ engine: () => engine, ready: () => ({ ready: true }), logger, metrics: createMetrics() });
  const running = await startServer({ port: 0, host: '127.0.0.1', tls: { key, cert }, app, logger });
  port = running.address.port;
} else {
  // answer-floor: each scenario's answer and log line as the real app gives them (asked once, over
  // plain HTTP, at start), the text around the uid kept so the uid of each request is echoed
  const canned = new Map<string, { before: string; after: string; line: string }>();
  if (kind === 'answer-floor') {
    let line = '';
    const app = createApp({ engine: realEngine, ready: () => ({ ready: true }), logger: createLogger({ destination: { write: (s: string) => void (line = s) } }), metrics: createMetrics() });
    const plain = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => plain.once('listening', resolve));
    for (const s of w.scenarios) {
      const uid = (JSON.parse(s.body) as Review).request.uid;
      const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}${s.path}`;
      const answer = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: s.body })).text();
      const at = answer.indexOf(JSON.stringify(uid));
      if (at < 0 || !line.includes(JSON.stringify(uid))) throw new Error(`answer-floor: no answer or log line for ${s.name}`);
      canned.set(uid, { before: answer.slice(0, at), after: answer.slice(at + JSON.stringify(uid).length), line });
    }
    plain.close();
  }
  // the webhook's own stdout destination (a turn's lines in one write), so the line costs what it costs there
  const stdout = kind === 'answer-floor' ? stdoutDestination() : undefined;
  const server = https.createServer({ key, cert, minVersion: 'TLSv1.2' }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Review;
      let body: string;
      if (kind === 'floor') {
        body = JSON.stringify({ apiVersion: review.apiVersion, kind: review.kind, response: { uid: review.request.uid, allowed: true } });
      } else {
        const c = canned.get(review.request.uid);
        if (c === undefined) throw new Error(`answer-floor: unknown uid ${review.request.uid}`);
        body = c.before + JSON.stringify(review.request.uid) + c.after;
        stdout?.write(c.line);
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}
process.send?.({ port });
// the parent asks for the memory breakdown after the load (RSS alone does not say what grew)
// (and, for the sustained run, V8's own accounting: which heap space holds it, and what V8 malloc()s)
process.on('message', (m) => {
  if (m === 'mem') process.send?.({ mem: process.memoryUsage() });
  if (m === 'v8') {
    const h = v8.getHeapStatistics();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((x) => [x.space_name, { size: x.space_size, used: x.space_used_size }]));
    process.send?.({ v8: { malloced: h.malloced_memory, peakMalloced: h.peak_malloced_memory, limit: h.heap_size_limit, spaces } });
  }
  if (typeof m === 'object' && m !== null && 'snapshot' in m) process.send?.({ snapshot: v8.writeHeapSnapshot((m as { snapshot: string }).snapshot) });
});
process.on('disconnect', () => process.exit(0));
