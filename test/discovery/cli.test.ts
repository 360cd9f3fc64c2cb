// `check --prometheus-url` and the serve flags, against a fake Prometheus (hermetic; the real one is in
// test/e2e-prometheus). The CLI runs as a child process, so the fake server in this process keeps answering.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixturePath, ROOT } from '../helpers/fixtures.js';
import { dcgmSeries, matchSelector } from './series.js';

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('check --prometheus-url: seed-001 denied with metric-no-series (exit 1), seed-000 allowed (exit 0)', async (t) => {
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: u.searchParams.getAll('match[]').flatMap((m) => matchSelector(m, dcgmSeries())) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const seed1 = await cli(['check', '--prometheus-url', url, '-f', fixturePath('seed-001/hpa.yaml'), '--adapter-config', fixturePath('seed-001/adapter-config.yaml')]);
  assert.equal(seed1.code, 1, seed1.stdout + seed1.stderr);
  assert.match(seed1.stdout, /\[metric-no-series\].*seriesQuery 'DCGM_FI_DEV_MEMORY_USED\{.*\}' matches no series in Prometheus/);
  const seed0 = await cli(['check', '--prometheus-url', url, '-f', fixturePath('seed-000/hpa.yaml'), '--adapter-config', fixturePath('seed-000/adapter-config.yaml')]);
  assert.equal(seed0.code, 0, seed0.stdout + seed0.stderr);
});

test('a --prometheus-url that is not an http(s) URL, or a bad --discovery-interval, is a usage error (exit 2)', async () => {
  const bad = await cli(['check', '--prometheus-url', 'prometheus:9090', '-f', fixturePath('seed-000/hpa.yaml')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--prometheus-url "prometheus:9090": must be http:\/\/ or https:\/\//);
  const interval = await cli(['serve', '--prometheus-url', 'http://127.0.0.1:9', '--discovery-interval', '10']);
  assert.equal(interval.code, 2);
  assert.match(interval.stderr, /--discovery-interval "10": a duration of at least 1s/);
});
