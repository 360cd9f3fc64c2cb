// A real control plane on loopback for the e2e tests, like controller-runtime's envtest: etcd,
// kube-apiserver and (for the garbage collector) kube-controller-manager, built by
// scripts/build-control-plane.sh. Everything lives in a temp dir and on random free ports; stop()
// tears it down (and the processes die with the test process if it exits first).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig, type KubeConfig as ProductKubeConfig } from '../../src/controller/kubeconfig.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  /** admin kubeconfig (static token in system:masters) */
  kubeconfigPath: string;
  adminToken: string;
  dir: string;
  kubeConfig(): KubeConfig;
  /** the admin kubeconfig as the product loads it (src/controller/kubeconfig.ts), for the product's classes */
  clientConfig(): ProductKubeConfig;
  /** a kubeconfig file for another bearer token (e.g. a ServiceAccount's), written into dir */
  writeKubeconfig(name: string, token: string): Promise<string>;
  /** stop kube-apiserver and start it again on the same port and etcd (watches break; state stays) */
  restartApiServer(): Promise<void>;
  /** etcd's client URL (http://127.0.0.1:<port>): its gRPC gateway, e.g. to compact */
  etcd: string;
  stop(): Promise<void>;
}

/** The folder holding etcd, kube-apiserver and kube-controller-manager (built on first use). */
export function controlPlaneBinaries(): string {
  if (process.env.GPU_HPA_CONTROL_PLANE) return process.env.GPU_HPA_CONTROL_PLANE;
  // Idempotent and quick once built; the first build takes a while (README).
  const out = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'build-control-plane.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const dir = out.trim().split('\n').pop();
  if (!dir) throw new Error('scripts/build-control-plane.sh printed no folder');
  process.env.GPU_HPA_CONTROL_PLANE = dir;
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

const live = new Set<ChildProcess>();
// Leave no apiserver behind when the test process dies without stop().
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
}

/** A child process logging to <dir>/<name>.log, killed with the test process if it exits first. */
export function start(name: string, bin: string, args: string[], dir: string): Proc {
  const log = join(dir, `${name}.log`);
  const out = createWriteStream(log);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  live.add(child);
  child.once('exit', () => live.delete(child));
  return { name, child, log };
}

export function tail(path: string, lines = 40): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function stopProc(p: Proc, graceMs = 5000): Promise<void> {
  const c = p.child;
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

function get(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request(url, { rejectUnauthorized: false, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 3000 }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
    req.end();
  });
}

async function waitFor(what: string, procs: Proc[], timeoutMs: number, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const p of procs) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) while waiting for ${what}:\n${tail(p.log)}`);
      }
    }
    if (await ok().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${procs.map((p) => `--- ${p.name}\n${tail(p.log)}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function kubeconfigYaml(server: string, token: string): string {
  // JSON is YAML; the apiserver's self-signed serving certificate is not worth verifying on loopback.
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'user', user: { token } }],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'user' } }],
    'current-context': 'e2e',
  });
}

export interface StartOptions {
  /** run kube-controller-manager (garbage collector, namespace controller); default true */
  controllerManager?: boolean;
  /** extra etcd flags (e.g. --quota-backend-bytes for a large benchmark) */
  etcdArgs?: string[];
  /** the address kube-apiserver binds and advertises; default 127.0.0.1 (test/loop: the host side of its veth) */
  host?: string;
  /** more kube-apiserver flags (test/loop: the aggregation layer's front-proxy flags) */
  apiserverArgs?: string[];
  /** kube-controller-manager's --controllers; default the garbage collector, namespace and quota controllers */
  controllers?: string[];
  /** more kube-controller-manager flags */
  controllerManagerArgs?: string[];
}

export async function startControlPlane(opts: StartOptions = {}): Promise<ControlPlane> {
  const bin = controlPlaneBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'gpu-hpa-e2e-'));
  const procs: Proc[] = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) await stopProc(p);
    if (!process.env.GPU_HPA_E2E_KEEP) await rm(dir, { recursive: true, force: true });
  };
  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    procs.push(
      start(
        'etcd',
        join(bin, 'etcd'),
        [
          '--data-dir',
          join(dir, 'etcd'),
          '--name',
          'e2e',
          '--listen-client-urls',
          `http://127.0.0.1:${etcdClient}`,
          '--advertise-client-urls',
          `http://127.0.0.1:${etcdClient}`,
          '--listen-peer-urls',
          `http://127.0.0.1:${etcdPeer}`,
          '--initial-advertise-peer-urls',
          `http://127.0.0.1:${etcdPeer}`,
          '--initial-cluster',
          `e2e=http://127.0.0.1:${etcdPeer}`,
          '--unsafe-no-fsync', // throwaway data: durability costs time on a shared machine
          '--log-level',
          'warn',
          ...(opts.etcdArgs ?? []),
        ],
        dir,
      ),
    );
    await waitFor('etcd', procs, 30_000, async () => {
      const r = await fetch(`http://127.0.0.1:${etcdClient}/health`);
      return r.ok;
    });

    const adminToken = randomBytes(24).toString('hex');
    await writeFile(join(dir, 'tokens.csv'), `${adminToken},e2e-admin,e2e-admin,"system:masters"\n`, { mode: 0o600 });
    const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(join(dir, 'sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await writeFile(join(dir, 'sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
    const host = opts.host ?? '127.0.0.1';
    const server = `https://${host}:${apiPort}`;
    const startApiServer = () =>
      start(
        'kube-apiserver',
        join(bin, 'kube-apiserver'),
        [
          `--etcd-servers=http://127.0.0.1:${etcdClient}`,
          `--secure-port=${apiPort}`,
          `--bind-address=${host}`,
          `--advertise-address=${host}`,
          `--cert-dir=${join(dir, 'apiserver-certs')}`,
          `--token-auth-file=${join(dir, 'tokens.csv')}`,
          // RBAC for everyone but system:masters, so the webhook's ServiceAccount gets exactly manifests/rbac.yaml
          '--authorization-mode=Node,RBAC',
          '--enable-admission-plugins=MutatingAdmissionWebhook,ValidatingAdmissionWebhook',
          `--service-account-key-file=${join(dir, 'sa.pub')}`,
          `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          '--service-cluster-ip-range=10.0.0.0/24',
          '--allow-privileged=true',
          '--enable-priority-and-fairness=false',
          '--v=1',
          ...(opts.apiserverArgs ?? []),
        ],
        dir,
      );
    procs.push(startApiServer());
    await waitFor('kube-apiserver /readyz', procs, 120_000, async () => (await get(`${server}/readyz`, adminToken)).status === 200);

    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfigPath, kubeconfigYaml(server, adminToken), { mode: 0o600 });

    if (opts.controllerManager !== false) {
      procs.push(
        start(
          'kube-controller-manager',
          join(bin, 'kube-controller-manager'),
          [
            `--kubeconfig=${kubeconfigPath}`,
            '--leader-elect=false',
            // only what the tests rely on: the garbage collector deletes managed HPAs with their
            // Deployment; the quota controller computes a namespace's HPA quota (a refused managed HPA)
            `--controllers=${(opts.controllers ?? ['garbage-collector-controller', 'namespace-controller', 'resourcequota-controller']).join(',')}`,
            '--secure-port=0',
            '--concurrent-gc-syncs=5',
            '--v=1',
            ...(opts.controllerManagerArgs ?? []),
          ],
          dir,
        ),
      );
      // The garbage collector needs its informers synced before it acts; the tests poll anyway.
      await waitFor('kube-controller-manager', procs, 2000, async () => false).catch((e: Error) => {
        if (!e.message.startsWith('timed out')) throw e;
      });
    }

    return {
      server,
      kubeconfigPath,
      adminToken,
      dir,
      kubeConfig() {
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfigPath);
        return kc;
      },
      clientConfig: () => loadKubeConfig(kubeconfigPath),
      etcd: `http://127.0.0.1:${etcdClient}`,
      async restartApiServer() {
        const i = procs.findIndex((p) => p.name === 'kube-apiserver');
        await stopProc(procs[i]!);
        procs[i] = startApiServer();
        await waitFor('kube-apiserver /readyz after a restart', procs, 120_000, async () => (await get(`${server}/readyz`, adminToken)).status === 200);
      },
      async writeKubeconfig(name, token) {
        const p = join(dir, `${name}.kubeconfig`);
        await writeFile(p, kubeconfigYaml(server, token), { mode: 0o600 });
        return p;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
