// Runtime reloads: a valid new file takes effect; an invalid one is refused and the last good stays.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigStore } from '../../src/loaders/config-store.js';
import { fixture, fixturePath, ROOT } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-hpa-store-'));
  const policy = join(dir, 'policy.yaml');
  const rules = join(dir, 'rules.yaml');
  copyFileSync(join(ROOT, 'policies/default.yaml'), policy);
  copyFileSync(fixturePath('seed-000/adapter-config.yaml'), rules);
  const events: string[] = [];
  const store = new ConfigStore({ policyPath: policy, adapterConfigPath: rules, onReload: (s, r) => events.push(`${s}:${r}`) });
  return { dir, policy, rules, store, events };
}

test('a valid new adapter config takes effect; an invalid one keeps the last good and reports it', async () => {
  const { rules, store, events } = setup();
  await store.load();
  assert.deepEqual(store.status(), { ready: true, stale: [] });
  const hpa = fixture('seed-003/hpa-custom.yaml');
  const req = reviewOf(hpa).request as never;
  assert.equal(store.engine().validate(req).allowed, false, 'seed-000 rules do not serve http_requests_per_second');

  copyFileSync(fixturePath('seed-003/adapter-config.yaml'), rules);
  assert.equal(await store.reload('adapter-config'), true);
  assert.equal(store.engine().validate(req).allowed, true, 'seed-003 rules serve it');

  writeFileSync(rules, 'rules:\n  - seriesQuery: up\n    bogusKey: 1\n');
  assert.equal(await store.reload('adapter-config'), false);
  assert.equal(store.engine().validate(req).allowed, true, 'the last good rules stay in force');
  const st = store.status();
  assert.equal(st.ready, true);
  assert.equal(st.stale[0]?.source, 'adapter-config');
  assert.match(st.stale[0].error, /bogusKey/);
  assert.deepEqual(events, ['policy:success', 'adapter-config:success', 'adapter-config:success', 'adapter-config:failure']);
});

test('an invalid policy at runtime is refused; at start it is an error', async () => {
  const { policy, store } = setup();
  await store.load();
  writeFileSync(policy, readFileSync(policy, 'utf8').replace('enforcement: deny', 'enforcement: sometimes'));
  assert.equal(await store.reload('policy'), false);
  assert.equal(store.current().policy?.enforcement, 'deny');
  const fresh = new ConfigStore({ policyPath: policy });
  await assert.rejects(fresh.load(), /enforcement/);
  assert.equal(fresh.status().ready, false);
});

test('the store notices a changed file by itself (stat polling)', async () => {
  const { rules, store } = setup();
  await store.load();
  let noticed: (event: string) => void = () => {};
  const refused = new Promise<string>((r) => (noticed = r));
  const s = new ConfigStore({ adapterConfigPath: rules, pollMs: 50, onReload: (src, r) => r === 'failure' && noticed(`watched-${src}:${r}`) });
  await s.load();
  s.watch();
  // fs.watchFile takes its baseline stat asynchronously, and a change before it is not seen: write a
  // new invalid version at each poll until the store reports the refusal (the event this test awaits)
  let n = 5;
  const writer = setInterval(() => writeFileSync(rules, `rules: ${n++}\n`), 50);
  try {
    assert.equal(await refused, 'watched-adapter-config:failure');
  } finally {
    clearInterval(writer);
    s.close();
  }
});

test("the adapter rules' own warnings are logged when they load (serve says what check says; issue 15)", async () => {
  const { Writable } = await import('node:stream');
  const { pino } = await import('pino');
  const lines: Array<{ msg: string; warnings?: string[]; from?: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'gpu-hpa-store-'));
  const rules = join(dir, 'rules.yaml');
  copyFileSync(fixturePath('seed-001/adapter-config.yaml'), rules);
  const store = new ConfigStore({ policyPath: join(ROOT, 'policies/default.yaml'), adapterConfigPath: rules, logger: pino({ level: 'info' }, sink) });
  await store.load();
  const warned = lines.find((l) => l.msg === 'adapter rules loaded with warnings');
  assert.ok(warned, JSON.stringify(lines));
  assert.equal(warned.from, rules);
  assert.ok(
    warned.warnings?.some((w) => w.includes('DCGM_FI_DEV_MEMORY_USED is not a DCGM field')),
    JSON.stringify(warned.warnings),
  );
  // the neighbour: seed-000's rules have nothing to warn about, and no such line is written
  lines.length = 0;
  copyFileSync(fixturePath('seed-000/adapter-config.yaml'), rules);
  assert.equal(await store.reload('adapter-config'), true);
  assert.equal(
    lines.find((l) => l.msg === 'adapter rules loaded with warnings'),
    undefined,
  );
});

test("rules handed over from a ConfigMap (setAdapterRulesText) may be in the chart's values form", async () => {
  const { store } = setup();
  await store.load();
  const req = reviewOf(fixture('seed-003/hpa-custom.yaml')).request as never;
  assert.equal(store.engine().validate(req).allowed, false, 'seed-000 rules do not serve http_requests_per_second');
  const rule = readFileSync(fixturePath('seed-003/adapter-config.yaml'), 'utf8')
    .replace(/^rules:\n/, '')
    .replace(/^/gm, '  ');
  assert.equal(store.setAdapterRulesText(`rules:\n  default: false\n  custom:\n${rule}`, 'ConfigMap monitoring/values key values.yaml'), true);
  assert.equal(store.engine().validate(req).allowed, true, 'the values form serves it');
});
