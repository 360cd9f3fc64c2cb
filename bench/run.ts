// `npm run bench`: the webhook against the floor, side by side in the same run, then the rule
// engine alone. Servers and load generator are separate processes on 127.0.0.1; each scenario runs
// floor and webhook alternately (ROUNDS times) so a busy neighbour on the machine hits both alike.
// Env: BENCH_DURATION (s per run, default 8), BENCH_CONNECTIONS (16), BENCH_ROUNDS (2),
// BENCH_LOG_LEVEL (the webhook's log level, default info; "silent" shows what logging costs).
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSelfSignedCerts } from '../src/server/tls.js';
import { runEngineBench } from './engine.js';
import { scenarios, workloadConfig } from './workload.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
// The servers run compiled, as production does (node dist/…): under tsx the loader's worker thread
// alone adds ~30 MB of RSS and would blur the memory figure.
const compiled = join(root, 'node_modules/.cache/gpu-hpa-webhook-bench');
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface Load {
  rps: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
}

function compileServer(): void {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const flags = ['--outDir', compiled, '--rootDir', root, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--skipLibCheck', '--esModuleInterop', '--resolveJsonModule', '--types', 'node'];
  execFileSync(process.execPath, [tsc, ...flags, join(here, 'server.ts')], { stdio: 'inherit' });
}

async function startServer(kind: 'webhook' | 'shell' | 'floor', certDir: string, workloadFile: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(compiled, 'bench/server.js'), [kind, certDir, workloadFile], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'], // the webhook's log lines go where kubectl logs would read them: away
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { child, port };
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function load(port: number, path: string, body: string, durationS: number, watchPid?: number): Promise<Load & { rssMaxMb: number }> {
  const spec = JSON.stringify({ url: `https://127.0.0.1:${port}${path}`, body, connections: CONNECTIONS, durationS });
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'load.ts'), spec], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  let rssMaxMb = 0;
  const sampler = setInterval(() => {
    if (watchPid !== undefined) rssMaxMb = Math.max(rssMaxMb, rssMb(watchPid));
  }, 200);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return { ...(JSON.parse(out) as Load), rssMaxMb };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f = (x: number, d = 2) => x.toFixed(d);

async function main(): Promise<void> {
  const certDir = mkdtempSync(join(tmpdir(), 'bench-certs-'));
  await ensureSelfSignedCerts(certDir, { service: 'bench', namespace: 'bench' });
  const workloadFile = join(certDir, 'workload.json');
  writeFileSync(workloadFile, JSON.stringify(workloadConfig()));
  compileServer();
  const floor = await startServer('floor', certDir, workloadFile);
  const hook = await startServer('webhook', certDir, workloadFile);
  const shell = await startServer('shell', certDir, workloadFile);
  const before = loadavg()[0] ?? 0;
  console.log(`# ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}; load average before: ${f(before)}`);
  console.log(`# ${CONNECTIONS} connections, ${DURATION}s per run, ${ROUNDS} rounds floor/webhook alternating\n`);
  try {
    // warm both up (JIT, TLS session setup), results discarded
    for (const s of scenarios()) {
      await load(floor.port, s.path, s.body, 1);
      await load(hook.port, s.path, s.body, 1);
    }
    const rows: string[] = [];
    let worstRatio = Infinity;
    let worstP99 = 0;
    let rssMax = 0;
    let failures = 0;
    for (const s of scenarios()) {
      const fl: Load[] = [];
      const wh: Array<Load & { rssMaxMb: number }> = [];
      for (let r = 0; r < ROUNDS; r++) {
        fl.push(await load(floor.port, s.path, s.body, DURATION));
        wh.push(await load(hook.port, s.path, s.body, DURATION, hook.child.pid));
      }
      for (const x of [...fl, ...wh]) failures += x.non2xx + x.errors + x.timeouts;
      const ratio = mean(wh.map((x) => x.rps)) / mean(fl.map((x) => x.rps));
      const p50r = mean(wh.map((x) => x.p50)) / mean(fl.map((x) => x.p50));
      const p99r = mean(wh.map((x) => x.p99)) / mean(fl.map((x) => x.p99));
      const rss = Math.max(...wh.map((x) => x.rssMaxMb));
      worstRatio = Math.min(worstRatio, ratio);
      worstP99 = Math.max(worstP99, p99r);
      rssMax = Math.max(rssMax, rss);
      rows.push(
        `| ${s.name} | ${s.body.length} | ${f(mean(fl.map((x) => x.rps)), 0)} | ${f(mean(wh.map((x) => x.rps)), 0)} | **${f(ratio)}** | ${f(mean(fl.map((x) => x.p50)))} / ${f(mean(wh.map((x) => x.p50)))} (${f(p50r)}×) | ${f(mean(fl.map((x) => x.p99)))} / ${f(mean(wh.map((x) => x.p99)))} (**${f(p99r)}×**) | ${f(rss, 0)} |`,
      );
      console.error(`done: ${s.name}`);
    }
    // The HTTP shell alone (allow-all engine) on the heaviest mutate body: what is left once the
    // decision itself is taken out.
    {
      const s = scenarios()[1]!;
      const fl: Load[] = [];
      const sh: Array<Load & { rssMaxMb: number }> = [];
      await load(shell.port, s.path, s.body, 1);
      for (let r = 0; r < ROUNDS; r++) {
        fl.push(await load(floor.port, s.path, s.body, DURATION));
        sh.push(await load(shell.port, s.path, s.body, DURATION, shell.child.pid));
      }
      for (const x of [...fl, ...sh]) failures += x.non2xx + x.errors + x.timeouts;
      rows.push(
        `| _shell only (allow-all engine)_: ${s.name} | ${s.body.length} | ${f(mean(fl.map((x) => x.rps)), 0)} | ${f(mean(sh.map((x) => x.rps)), 0)} | ${f(mean(sh.map((x) => x.rps)) / mean(fl.map((x) => x.rps)))} | ${f(mean(fl.map((x) => x.p50)))} / ${f(mean(sh.map((x) => x.p50)))} (${f(mean(sh.map((x) => x.p50)) / mean(fl.map((x) => x.p50)))}×) | ${f(mean(fl.map((x) => x.p99)))} / ${f(mean(sh.map((x) => x.p99)))} (${f(mean(sh.map((x) => x.p99)) / mean(fl.map((x) => x.p99)))}×) | ${f(Math.max(...sh.map((x) => x.rssMaxMb)), 0)} |`,
      );
    }
    console.log('| scenario | body bytes | floor req/s | webhook req/s | throughput ÷ floor | p50 ms floor / webhook | p99 ms floor / webhook | webhook RSS max MB |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of rows) console.log(r);
    const mem = await new Promise<NodeJS.MemoryUsage>((resolve) => {
      hook.child.once('message', (m) => resolve((m as { mem: NodeJS.MemoryUsage }).mem));
      hook.child.send('mem');
    });
    const mb = (x: number) => f(x / 1048576, 0);
    console.log(`\nwebhook memory after the load: rss ${mb(mem.rss)} MB, V8 heap used ${mb(mem.heapUsed)} of ${mb(mem.heapTotal)} MB, external ${mb(mem.external)} MB, array buffers ${mb(mem.arrayBuffers)} MB`);
    console.log(`worst throughput ratio ${f(worstRatio)} (target ≥ 0.80); worst p99 ratio ${f(worstP99)}× (target ≤ 1.5×); RSS max ${f(rssMax, 0)} MB (target ≤ 150); failed requests ${failures}`);
    console.log(`load average after: ${f(loadavg()[0] ?? 0)}\n`);
  } finally {
    floor.child.kill();
    hook.child.kill();
    shell.child.kill();
    rmSync(certDir, { recursive: true, force: true });
  }
  runEngineBench();
}

await main();
