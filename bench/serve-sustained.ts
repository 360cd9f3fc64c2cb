// Sustained admission load on the shipped process: `serve` compiled (dist/cli/main.js, or SERVE_MAIN: another
// build to compare) with the production Node flags (the Dockerfile's), no cluster, the policy and adapter rules
// of test fixture seed-000, and the seed-000 HPA review (a denial: the larger answer) sent by bench/load.ts for
// SUSTAINED_S seconds over SUSTAINED_CONNECTIONS connections; RSS sampled every SUSTAINED_SAMPLE s. Unlike
// `BENCH_ONLY=sustained npm run bench` (bench/server.ts: the app and engine alone) this is every module
// `serve` loads. Server on CPU 1, load generator on CPU 0 when taskset exists.
// Env: SUSTAINED_S (300), SUSTAINED_CONNECTIONS (16), SUSTAINED_SAMPLE (15), SERVE_MAIN.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/e2e/cluster.js';
import { productionNodeFlags } from './node-flags.js';
import { scenarios } from './workload.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const DURATION = Number(process.env.SUSTAINED_S ?? 300);
const CONNECTIONS = Number(process.env.SUSTAINED_CONNECTIONS ?? 16);
const SAMPLE = Number(process.env.SUSTAINED_SAMPLE ?? 15);

const pin = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const onCpu = (cpu: number, args: string[]): [string, string[]] => (pin ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args]);

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function ready(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function main(): Promise<void> {
  let main = process.env.SERVE_MAIN;
  if (!main) {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    main = join(root, 'dist/cli/main.js');
  }
  const s = scenarios().find((x) => x.name === 'validate seed-000 HPA')!;
  const certDir = await mkdtemp(join(tmpdir(), 'serve-sustained-'));
  const port = await freePort();
  const flags = productionNodeFlags();
  const args = [...flags, main, 'serve', '--host', '127.0.0.1', '--port', String(port), '--metrics-port', String(await freePort()), '--cert-dir', certDir];
  args.push('--log-level', 'info');
  const [cmd, cargs] = onCpu(1, args);
  // the review log lines go where a pod's go: a pipe, drained
  const server = spawn(cmd, cargs, { stdio: ['ignore', 'pipe', 'inherit'] });
  server.stdout.resume();
  const pid = server.pid!; // taskset execs node: the same process
  try {
    while (!(await ready(port))) await new Promise((r) => setTimeout(r, 100));
    const spec = JSON.stringify({ url: `https://127.0.0.1:${port}${s.path}`, body: s.body, connections: CONNECTIONS, durationS: DURATION });
    const [lcmd, largs] = onCpu(0, ['--import', 'tsx', join(root, 'bench/load.ts'), spec]);
    const t0 = Date.now();
    const samples: Array<[number, number]> = [[0, status(pid, 'VmRSS')]];
    const sampler = setInterval(() => samples.push([(Date.now() - t0) / 1000, status(pid, 'VmRSS')]), SAMPLE * 1000);
    // not execFileSync: this event loop samples RSS and drains serve's log pipe meanwhile (a full pipe stalls serve)
    const gen = spawn(lcmd, largs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    gen.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => gen.once('exit', resolve));
    clearInterval(sampler);
    if (code !== 0) throw new Error(`load generator exited with ${code}`);
    samples.push([(Date.now() - t0) / 1000, status(pid, 'VmRSS')]);
    const l = JSON.parse(out) as { rps: number; p50: number; p99: number; non2xx: number; errors: number; timeouts: number };
    const late = samples.filter(([t]) => t >= DURATION / 2).map(([, r]) => r);
    console.log(`## serve (${main}), ${flags.join(' ')}: ${s.name}, ${DURATION} s, ${CONNECTIONS} connections`);
    console.log(`${l.rps.toFixed(0)} reviews/s, p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, failed ${l.non2xx + l.errors + l.timeouts}`);
    console.log(`RSS MiB over time: ${samples.map(([t, r]) => `${t.toFixed(0)}s ${r.toFixed(0)}`).join(', ')}`);
    console.log(`RSS max (VmHWM) ${status(pid, 'VmHWM').toFixed(0)} MiB; second half ${Math.min(...late).toFixed(0)}–${Math.max(...late).toFixed(0)} MiB`);
  } finally {
    server.kill();
    await rm(certDir, { recursive: true, force: true });
  }
}

await main();
