// The adapter config or the policy replaced by an invalid one while `serve` runs: the last good
// version stays in force, and /readyz (200, naming the stale source), /metrics (a failure counted)
// and the log (a line per refused reload) say so. A valid replacement then takes and clears it.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture, fixturePath, ROOT } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';
import { metricValue, request, spawnServe, type ServeProcess } from './harness.js';

const failures = (source: string) => `gpu_hpa_webhook_config_reloads_total{source="${source}",result="failure"}`;
const successes = (source: string) => `gpu_hpa_webhook_config_reloads_total{source="${source}",result="success"}`;

test('an invalid adapter config or policy at runtime: the last good one serves, and /readyz, /metrics and the log say so', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-hpa-reload-'));
  const policy = join(dir, 'policy.yaml');
  const rules = join(dir, 'rules.yaml');
  copyFileSync(ROOT + 'policies/default.yaml', policy);
  copyFileSync(ROOT + 'policies/prometheus-adapter-rules.yaml', rules);
  let serve: ServeProcess | undefined;
  try {
    serve = await spawnServe(join(dir, 'certs'), ['--policy', policy, '--adapter-config', rules]);
    const s = serve;
    const get = (path: string) => request(`${s.url}${path}`, { method: 'GET', ca: s.ca, hangMs: 10_000 });
    const metrics = s.metrics;
    // seed-000's HPA asks for gpu_utilization, which the shipped rules serve
    const hpaAllowed = async () => {
      const o = await request(`${s.url}/validate`, { body: JSON.stringify(reviewOf(fixture('seed-000/hpa.yaml'))), ca: s.ca, hangMs: 10_000 });
      assert.equal(o.status, 200, o.body);
      return JSON.parse(o.body).response.allowed as boolean;
    };
    assert.equal((await get('/readyz')).body, 'ok');
    assert.equal(await hpaAllowed(), true);

    // serve's log line for each reload, written once the reload has been counted
    const reload = (source: string, outcome: 'configuration reloaded' | 'configuration reload refused', from: number) =>
      s.logLine(`${outcome} (${source})`, (l) => l.includes(`"source":"${source}"`) && l.includes(`"msg":"${outcome}`), from);

    // 1. adapter config: an unknown key (the adapter itself refuses to start on it)
    let from = s.logs().length;
    writeFileSync(rules, 'rules:\n  - seriesQuery: up\n    bogusKey: 1\n');
    const refusedRules = await reload('adapter-config', 'configuration reload refused', from);
    assert.match(refusedRules, /"level":"error"/);
    assert.equal(metricValue(await metrics(), failures('adapter-config')), 1);
    const r1 = await get('/readyz');
    assert.equal(r1.status, 200, 'the last good rules serve: still ready');
    assert.match(r1.body, /adapter-config is stale \(last reload refused, the last good version is in force\)/);
    assert.match(r1.body, /bogusKey/);
    assert.equal(await hpaAllowed(), true, 'the last good rules still serve gpu_utilization');
    assert.ok(
      s
        .logs()
        .split('\n')
        .some((l) => l.includes('"source":"adapter-config"') && l.includes('configuration reload refused') && l.includes('"level":"error"')),
      'an error log line names the refused source',
    );

    // 2. policy: not YAML a policy can be made of
    from = s.logs().length;
    writeFileSync(policy, 'enforcement: sometimes\n');
    await reload('policy', 'configuration reload refused', from);
    assert.equal(metricValue(await metrics(), failures('policy')), 1);
    const r2 = await get('/readyz');
    assert.equal(r2.status, 200);
    assert.match(r2.body, /policy is stale/);
    assert.match(r2.body, /adapter-config is stale/);
    const dep = await request(`${s.url}/mutate`, { body: JSON.stringify(reviewOf(fixture('seed-000/deployment.yaml'))), ca: s.ca, hangMs: 10_000 });
    assert.equal(JSON.parse(dep.body).response.allowed, true, 'the last good policy still mutates');
    assert.ok(s.logs().includes('"source":"policy"'));

    // 3. valid replacements take: seed-001's rules do not serve gpu_utilization, so the HPA is now denied
    from = s.logs().length;
    writeFileSync(rules, readFileSync(fixturePath('seed-001/adapter-config.yaml'), 'utf8'));
    copyFileSync(ROOT + 'policies/default.yaml', policy);
    await Promise.all([reload('adapter-config', 'configuration reloaded', from), reload('policy', 'configuration reloaded', from)]);
    const counted = await metrics();
    assert.ok(metricValue(counted, successes('adapter-config')) >= 2 && metricValue(counted, successes('policy')) >= 2, counted);
    const r3 = await get('/readyz');
    assert.equal(r3.body, 'ok', 'no stale source once valid versions took');
    assert.equal(await hpaAllowed(), false, 'the new rules are in force');
  } finally {
    serve?.child.kill('SIGKILL');
    await serve?.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
