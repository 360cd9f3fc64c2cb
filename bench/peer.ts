// The peer in `npm run bench`: Pepr (npm `pepr`), the admission framework of the same runtime and
// framework family (Node, express), running bench/pepr/module.ts — the webhook's Deployment
// mutation and an allowed-HPA validation — as Pepr's own controller serves a module: its HTTPS
// server in a node process (no container), its store (a PeprStore custom resource) in a real API
// server. The API server is the e2e control plane (test/e2e/cluster.ts, binaries from
// scripts/build-control-plane.sh). Pepr and its ~360 packages live in bench/pepr (own package.json
// and lock), installed on first use, so the product's dependency tree does not carry them.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { freePort, startControlPlane, type ControlPlane } from '../test/e2e/cluster.js';
import { compileForBench } from './compile.js';

const dir = fileURLToPath(new URL('./pepr/', import.meta.url));

export interface Peer {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Pepr serves /mutate/<api path> and /validate/<api path> */
  pathFor(path: string): string;
  stop(): Promise<void>;
}

function install(): void {
  if (existsSync(join(dir, 'node_modules/pepr/package.json'))) return;
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Compiled, as Pepr's build bundles a module and its controller runs it with plain node. */
function compile(): string {
  const out = join(dir, 'node_modules/.bench');
  compileForBench(join(dir, 'server.ts'), out);
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  return join(out, 'server.js');
}

/** What Pepr's `pepr deploy` applies before the controller starts: its namespace and the PeprStore CRD (pepr src/lib/assets/store.ts). */
async function prepareCluster(cp: ControlPlane): Promise<void> {
  const kc = cp.kubeConfig();
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'pepr-system' } } });
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  await ext.createCustomResourceDefinition({
    body: {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'peprstores.pepr.dev' },
      spec: {
        group: 'pepr.dev',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { data: { type: 'object', additionalProperties: { type: 'string' } } } } } }],
        scope: 'Namespaced',
        names: { plural: 'peprstores', singular: 'peprstore', kind: 'PeprStore' },
      },
    },
  });
}

/** GET /healthz until 200: Pepr binds its routes (and /healthz) only once its store has synced. */
async function healthy(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const get = () =>
    new Promise<number>((resolve) => {
      const req = https.get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
    });
  const end = Date.now() + deadlineMs;
  while ((await get()) !== 200) {
    if (child.exitCode !== null) throw new Error(`pepr exited with ${child.exitCode}`);
    if (Date.now() > end) throw new Error('pepr: /healthz not ready within the deadline');
    await new Promise((r) => setTimeout(r, 250)); // Pepr offers no other readiness signal
  }
}

export async function startPeer(certDir: string, onCpu: (nodeArgs: string[]) => [string, string[]]): Promise<Peer> {
  install();
  const entry = compile();
  const cp = await startControlPlane({ controllerManager: false });
  try {
    await prepareCluster(cp);
    const port = await freePort();
    const apiPath = randomBytes(16).toString('hex');
    const [execPath, execArgv] = onCpu([]);
    const child = fork(entry, [String(port)], {
      execPath,
      execArgv,
      env: {
        ...process.env,
        KUBECONFIG: cp.kubeconfigPath,
        SSL_KEY_PATH: join(certDir, 'tls.key'),
        SSL_CERT_PATH: join(certDir, 'tls.crt'),
        PEPR_API_PATH: apiPath,
        PEPR_WATCH_MODE: 'false',
        NODE_TLS_REJECT_UNAUTHORIZED: '0',
      }, // the e2e API server's self-signed certificate on loopback: kubernetes-fluent-client's fetch ignores the kubeconfig's insecure-skip-tls-verify
      stdio: ['ignore', process.env.PEER_DEBUG ? 'inherit' : 'ignore', 'inherit', 'ipc'], // Pepr's log lines, at its default level, go where kubectl logs would read them: away
    });
    try {
      await healthy(port, child, 180_000);
    } catch (err) {
      child.kill(); // else it keeps the bench process alive
      throw err;
    }
    return {
      child,
      pid: child.pid!,
      port,
      pathFor: (path) => `${path}/${apiPath}`,
      stop: async () => {
        child.kill();
        await cp.stop();
      },
    };
  } catch (err) {
    await cp.stop();
    throw err;
  }
}

/** One review answered by a server: its response, to check that both sides decide what the comparison assumes. */
export async function answerOf(port: number, path: string, body: string): Promise<{ allowed?: boolean; patch?: string; status?: { message?: string } }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json' }, rejectUnauthorized: false, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        try {
          resolve((JSON.parse(text) as { response: { allowed?: boolean; patch?: string } }).response);
        } catch {
          reject(new Error(`${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
