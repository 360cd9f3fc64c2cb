// A real Prometheus (Debian's `prometheus` package, run directly: no systemd) on loopback, scraping two small
// exporters of ours that serve DCGM series as dcgm-exporter writes them. Job "dcgm" keeps the exporter's
// pod/namespace labels (no clash); job "dcgm-relabelled" has the target labels a Kubernetes ServiceMonitor
// gives (namespace/pod/container of the exporter itself) with honor_labels: false, so Prometheus renames the
// exporter's workload labels to exported_namespace/exported_pod/exported_container.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Gpu {
  gpu: string;
  uuid: string;
  /** the workload's pod, as dcgm-exporter's pod-resources mapping writes it; undefined: an idle GPU */
  workload?: { namespace: string; pod: string; container: string };
  util: number;
}

/** The DCGM fields dcgm-exporter's default counters file exports (there is no DCGM_FI_DEV_MEMORY_USED). */
const FIELDS: Array<[string, 'gauge' | 'counter', string, (g: Gpu) => number]> = [
  ['DCGM_FI_DEV_GPU_UTIL', 'gauge', 'GPU utilization (in %).', (g) => g.util],
  ['DCGM_FI_DEV_MEM_COPY_UTIL', 'gauge', 'Memory utilization (in %).', (g) => Math.round(g.util / 2)],
  ['DCGM_FI_DEV_FB_USED', 'gauge', 'Framebuffer memory used (in MiB).', (g) => 1000 + g.util * 10],
  ['DCGM_FI_DEV_FB_FREE', 'gauge', 'Framebuffer memory free (in MiB).', (g) => 39000 - g.util * 10],
  ['DCGM_FI_DEV_GPU_TEMP', 'gauge', 'GPU temperature (in C).', () => 41],
  ['DCGM_FI_DEV_POWER_USAGE', 'gauge', 'Power draw (in W).', () => 88.5],
  ['DCGM_FI_DEV_SM_CLOCK', 'gauge', 'SM clock frequency (in MHz).', () => 1410],
];

/** The exposition text dcgm-exporter serves: one line per GPU and field, labels in its order. */
export function dcgmExposition(gpus: Gpu[], hostname: string): string {
  const lines: string[] = [];
  for (const [name, type, help, value] of FIELDS) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const g of gpus) {
      const labels = [
        `gpu="${g.gpu}"`,
        `UUID="${g.uuid}"`,
        `device="nvidia${g.gpu}"`,
        `modelName="NVIDIA A100-SXM4-40GB"`,
        `Hostname="${hostname}"`,
        `DCGM_FI_DRIVER_VERSION="535.104.05"`,
        // an unallocated GPU gets empty values, which Prometheus stores as absent labels
        `container="${g.workload?.container ?? ''}"`,
        `namespace="${g.workload?.namespace ?? ''}"`,
        `pod="${g.workload?.pod ?? ''}"`,
      ];
      lines.push(`${name}{${labels.join(',')}} ${value(g)}`);
    }
  }
  return lines.join('\n') + '\n';
}

export async function startExporter(gpus: Gpu[], hostname: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createHttpServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(dcgmExposition(gpus, hostname));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface RunningPrometheus {
  url: string;
  stop: () => Promise<void>;
  log: () => string;
}

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';

/** Start Prometheus scraping the two exporters every second; resolves once both targets' series are in. */
export async function startPrometheus(targets: { dcgm: number; relabelled: number }): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-hpa-prom-'));
  const port = await freePort();
  const config = `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: dcgm
    static_configs:
      - targets: ['127.0.0.1:${targets.dcgm}']
  - job_name: dcgm-relabelled
    honor_labels: false
    static_configs:
      - targets: ['127.0.0.1:${targets.relabelled}']
        labels:
          namespace: gpu-operator
          pod: nvidia-dcgm-exporter-x7k2p
          container: nvidia-dcgm-exporter
`;
  writeFileSync(join(dir, 'prometheus.yml'), config);
  let output = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((r) => child.on('exit', (code) => ((exited = code), r())));
  const spawnError = new Promise<Error>((r) => child.on('error', r));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      await Promise.race([exitPromise, sleep(10_000).then(() => child.kill('SIGKILL'))]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Wait for both jobs' series (bounded: a broken install fails the suite with Prometheus' own log).
  const deadline = Date.now() + 60_000;
  for (;;) {
    const err = await Promise.race([spawnError, sleep(250).then(() => undefined)]);
    if (err) {
      await stop();
      throw new Error(`cannot run ${PROMETHEUS_BIN} (${err.message}); install it with: bash scripts/install-prometheus.sh`);
    }
    if (exited !== undefined) {
      await stop();
      throw new Error(`prometheus exited with ${exited}:\n${output}`);
    }
    try {
      const r = await fetch(`${url}/api/v1/series?match[]=${encodeURIComponent('DCGM_FI_DEV_GPU_UTIL')}`);
      if (r.ok) {
        const body = (await r.json()) as { data: Array<Record<string, string>> };
        const jobs = new Set(body.data.map((s) => s.job));
        if (jobs.has('dcgm') && jobs.has('dcgm-relabelled')) break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not scrape both exporters within 60s:\n${output}`);
    }
  }
  return { url, stop, log: () => output };
}
