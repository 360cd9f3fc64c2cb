// Differential test (issue 13): `check` says what the API server says. Every HPA of a deterministic
// corpus (hpa-corpus.ts, 500+ objects) is sent to a real kube-apiserver v1.36.3 (test/e2e/cluster.ts,
// no webhook registered) as `kubectl create` would send it, dry-run with kubectl's default strict
// field validation, and judged by `gpu-hpa-webhook check -o json` in one run over a directory of all
// the files. Every object the API server refuses must be denied by check with an `api-*` reason (or
// reported as an unreadable file, which kubectl cannot send either); no object it accepts may get
// an `api-*` reason. The disagreements are printed; the test passes only at 100 %.
//
// How each file reaches the API server:
// - JSON: parsed and re-encoded as kubectl does (Go's encoding/json escapes, see goJson), POSTed as
//   application/json.
// - YAML: POSTed as application/yaml. The API server converts it with sigs.k8s.io/yaml's YAMLToJSON,
//   the same function (and version) kubectl uses before it sends JSON, so the YAML flavour is the
//   real one. Under fieldValidation=Strict the API server additionally runs YAMLToJSONStrict, which
//   refuses a repeated key where kubectl keeps the last value: the few corpus files with a repeated
//   key (and no unknown field) are sent with fieldValidation=Ignore instead.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, startControlPlane, type ControlPlane } from './cluster.js';
import { policyFile } from '../helpers/fixtures.js';
import { generateCorpus, goJson, NAMESPACE, type Case } from './hpa-corpus.js';

let cp: ControlPlane;
let dir: string;

function call(method: string, path: string, body: string, contentType: string): Promise<{ status: number; body: string }> {
  const url = new URL(path, cp.server);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        rejectUnauthorized: false, // the apiserver's self-signed serving certificate, on loopback
        headers: { authorization: `Bearer ${cp.adminToken}`, 'content-type': contentType, accept: 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end(body);
  });
}

interface ServerVerdict {
  accepted: boolean;
  status: number;
  message: string;
}

async function dryRun(c: Case): Promise<ServerVerdict> {
  const validation = c.duplicateKeys ? 'Ignore' : 'Strict';
  const path = `/apis/autoscaling/v2/namespaces/${NAMESPACE}/horizontalpodautoscalers?dryRun=All&fieldValidation=${validation}`;
  const body = c.format === 'json' ? goJson(JSON.parse(c.text)) : c.text;
  const r = await call('POST', path, body, c.format === 'json' ? 'application/json' : 'application/yaml');
  let message = r.body;
  try {
    message = (JSON.parse(r.body) as { message?: string }).message ?? r.body;
  } catch {
    /* not JSON */
  }
  return { accepted: r.status === 201, status: r.status, message };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

interface CheckJson {
  results: Array<{ source: string; verdict: string; violations: Array<{ reason: string; message: string }> }>;
  errors?: Array<{ file: string; message: string }>;
}

function runCheck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'check', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

before(async () => {
  cp = await startControlPlane({ controllerManager: false });
  dir = await mkdtemp(join(tmpdir(), 'gpu-hpa-differential-'));
  const ns = await call('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }), 'application/json');
  assert.equal(ns.status, 201, ns.body);
});

after(async () => {
  await cp?.stop();
  if (dir && !process.env.GPU_HPA_E2E_KEEP) await rm(dir, { recursive: true, force: true });
});

test('check agrees with kube-apiserver v1.36.3 on every HPA of the corpus', async () => {
  const corpus = generateCorpus();
  assert.ok(corpus.length >= 500, `corpus has ${corpus.length} HPAs`);
  const files = corpus.map((c, i) => join(dir, `case-${String(i).padStart(4, '0')}.${c.format}`));
  await Promise.all(corpus.map((c, i) => writeFile(files[i]!, c.text)));

  const server = await mapLimit(corpus, 6, dryRun);
  const unexpected = server.map((s, i) => [s, i] as const).filter(([s]) => !s.accepted && (s.status < 400 || s.status >= 500));
  assert.deepEqual(
    unexpected.map(([s, i]) => `${corpus[i]!.title}: HTTP ${s.status} ${s.message}`),
    [],
    'the API server answered a dry run with neither 201 nor a 4xx',
  );

  // GPU_HPA_DIFF_DUMP=file keeps the corpus and the API server's answers (to compare another build of check offline)
  if (process.env.GPU_HPA_DIFF_DUMP) {
    const dump = corpus.map((c, i) => ({ file: files[i], title: c.title, format: c.format, ...server[i] }));
    await writeFile(process.env.GPU_HPA_DIFF_DUMP, JSON.stringify({ dir, cases: dump }, null, 1));
    if (process.env.GPU_HPA_E2E_KEEP) console.log(`corpus kept in ${dir}`);
  }
  // every HPA of the corpus is judged (policy scope.hpas: all): the default scope leaves HPAs whose target is not an
  // opted-in Deployment alone, and none of the corpus's targets is among the inputs
  // (written beside the corpus's folder: check reads every file in it as a manifest)
  const policy = policyFile(join(dir, '..'), (p) => (p.scope = { hpas: 'all' }), `policy-${process.pid}.yaml`);
  const r = await runCheck(['-f', dir, '-n', NAMESPACE, '-o', 'json', '--policy', policy]);
  await rm(policy, { force: true });
  let report: CheckJson;
  try {
    report = JSON.parse(r.stdout) as CheckJson;
  } catch {
    assert.fail(`check -o json printed no JSON (exit ${r.code}):\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 2000)}`);
  }
  const bySource = new Map(report.results.map((x) => [x.source.replace(/#1$/, ''), x]));
  const unreadable = new Map((report.errors ?? []).map((e) => [e.file, e.message]));

  const disagreements: string[] = [];
  let refused = 0;
  corpus.forEach((c, i) => {
    const file = files[i]!;
    const s = server[i]!;
    if (!s.accepted) refused++;
    const verdict = bySource.get(file);
    const api = verdict?.violations.filter((v) => v.reason.startsWith('api-')) ?? [];
    const readError = unreadable.get(file);
    const what = `#${i} ${c.format.toUpperCase()} ${c.title}`;
    if (s.accepted && (api.length > 0 || readError)) {
      disagreements.push(`${what}\n    API server: accepted\n    check:      ${readError ? `unreadable: ${readError}` : api.map((v) => `[${v.reason}] ${v.message}`).join('\n                ')}`);
    } else if (!s.accepted && api.length === 0 && !readError) {
      disagreements.push(`${what}\n    API server: refused (${s.status}) ${s.message.slice(0, 400)}\n    check:      ${verdict ? `${verdict.verdict}, no api-* reason` : 'no verdict'}`);
    }
  });
  const agreed = corpus.length - disagreements.length;
  const pct = ((100 * agreed) / corpus.length).toFixed(1);
  console.log(`check vs kube-apiserver v1.36.3: ${agreed}/${corpus.length} agree (${pct} %); the API server refused ${refused}, accepted ${corpus.length - refused}`);
  if (disagreements.length > 0) console.log(`disagreements:\n${disagreements.join('\n')}`);
  assert.equal(r.code, unreadable.size > 0 ? 2 : 1, `check's exit code (stderr: ${r.stderr.slice(0, 500)})`);
  assert.deepEqual(disagreements, [], `${disagreements.length} disagreement(s), see above`);
});
