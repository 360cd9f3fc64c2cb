// The cluster cache (controller/list-watch.ts behind ClusterCache) against a real kube-apiserver: the
// streamed list (sendInitialEvents, as shipped), the paginated list (a small page size, so every list
// spans many pages; the fallback of a server without WatchList), watch resumption, 410 Gone and an
// apiserver restart, with the objects changed at the moments that matter — while the list streams,
// between two pages of the list, while the watch is down — through the list's and the watch's test
// hooks (awaited, no sleeps). After each scenario the cache must equal a fresh list from the API server, trimmed
// (core/cache-fields.ts): nothing missed, nothing stale, nothing deleted left behind.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { trimDeployment, trimHpa } from '../../src/core/cache-fields.js';
import { ClusterCache } from '../../src/controller/informers.js';
import type { WatchEvent } from '../../src/controller/list-watch.js';
import { realisticDeployment, realisticHpa } from '../helpers/realistic-objects.js';
import { startControlPlane, type ControlPlane } from './cluster.js';

const PAGE = 4;
const NAMESPACES = ['cache-a', 'cache-b'];
const DEPLOYMENTS = 22; // six pages of four
const nsOf = (i: number) => NAMESPACES[i % 2]!;

function call(cp: ControlPlane, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(new URL(cp.server + path), { method, rejectUnauthorized: false, headers: { authorization: `Bearer ${cp.adminToken}`, 'content-type': contentType } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
        else resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const apply = (cp: ControlPlane, path: string, obj: unknown) => call(cp, 'PATCH', `${path}?fieldManager=e2e&force=true`, obj, 'application/apply-patch+yaml');
const depPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const hpaPath = (ns: string, name: string) => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${name}`;

function deployment(i: number) {
  const d = realisticDeployment(i);
  d.metadata!.namespace = nsOf(i);
  return d;
}
function hpa(i: number) {
  const h = realisticHpa(i * 5);
  h.metadata!.name = `hpa-${i}`;
  h.metadata!.namespace = nsOf(i);
  h.spec!.scaleTargetRef!.name = `svc-${i}`;
  return h;
}

async function populate(cp: ControlPlane): Promise<void> {
  for (const ns of NAMESPACES) await apply(cp, `/api/v1/namespaces/${ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (let i = 0; i < DEPLOYMENTS; i++) await apply(cp, depPath(nsOf(i), `svc-${i}`), deployment(i));
  for (let i = 0; i < 6; i++) await apply(cp, hpaPath(nsOf(i), `hpa-${i}`), hpa(i));
}

/** The cache equals what the API server lists now, trimmed. */
async function assertCacheMatchesApi(cp: ControlPlane, cache: ClusterCache): Promise<void> {
  const deps = (await call(cp, 'GET', '/apis/apps/v1/deployments')).json.items as Array<{ metadata: { name: string; namespace: string } }>;
  const hpas = (await call(cp, 'GET', '/apis/autoscaling/v2/horizontalpodautoscalers')).json.items as Array<{ metadata: { name: string; namespace: string } }>;
  const mine = (o: { metadata: { namespace: string } }) => NAMESPACES.includes(o.metadata.namespace);
  const cached = <T extends { metadata?: { namespace?: string } }>(xs: T[]) => xs.filter((o) => NAMESPACES.includes(o.metadata?.namespace ?? ''));
  assert.equal(cached(cache.deployments.list()).length, deps.filter(mine).length, 'as many Deployments as the API server has');
  assert.equal(cached(cache.hpas.list()).length, hpas.filter(mine).length, 'as many HPAs as the API server has');
  for (const d of deps.filter(mine)) assert.deepEqual(cache.deployments.get(d.metadata.name, d.metadata.namespace), trimDeployment(d), `Deployment ${d.metadata.namespace}/${d.metadata.name}`);
  for (const h of hpas.filter(mine)) assert.deepEqual(cache.hpas.get(h.metadata.name, h.metadata.namespace), trimHpa(h), `HPA ${h.metadata.namespace}/${h.metadata.name}`);
}

/** `p`, or a failure naming what did not happen within `ms` (a bound on a wait for an event, not a sleep). */
function within<T>(p: Promise<T>, what: string, ms = 90_000): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`not seen within ${ms / 1000} s: ${what}`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(t));
}

/** Resolves when the list/watch emits `event` for an object that satisfies `ok`. */
function eventFor<T extends { metadata?: { name?: string; labels?: Record<string, string> } }>(
  lw: { on(e: WatchEvent, cb: (o: T) => void): void; off(e: WatchEvent, cb: (o: T) => void): void },
  event: WatchEvent,
  ok: (o: T) => boolean,
): Promise<T> {
  return new Promise((resolve) => {
    const cb = (o: T) => {
      if (!ok(o)) return;
      lw.off(event, cb);
      resolve(o);
    };
    lw.on(event, cb);
  });
}

/** etcd's current revision, and a compaction up to it (what the API server does every 5 minutes). */
async function compactEtcd(cp: ControlPlane): Promise<void> {
  const range = await fetch(`${cp.etcd}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) });
  const revision = ((await range.json()) as { header: { revision: string } }).header.revision;
  const r = await fetch(`${cp.etcd}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision, physical: true }) });
  assert.equal(r.status, 200, await r.text());
}

const optIn = (cp: ControlPlane, i: number, value: string) => {
  const d = deployment(i);
  d.metadata!.labels!['gpu-hpa.io/enabled'] = value;
  return apply(cp, depPath(nsOf(i), `svc-${i}`), d);
};
const labelled = (name: string, value: string) => (o: { metadata?: { name?: string; labels?: Record<string, string> } }) =>
  o.metadata?.name === name && o.metadata.labels?.['gpu-hpa.io/enabled'] === value;

describe('e2e cache: streamed and paginated lists and the watch against a real kube-apiserver (watch cache on, as shipped)', { timeout: 10 * 60_000 }, () => {
  let cp: ControlPlane;
  before(
    async () => {
      cp = await startControlPlane({ controllerManager: false });
      await populate(cp);
    },
    { timeout: 5 * 60_000 },
  );
  after(async () => cp?.stop());

  test('a Deployment relabelled, an HPA changed and another deleted while the list streams: all in the cache after sync', async () => {
    let changed = false;
    const cache = new ClusterCache(cp.clientConfig(), {
      hooks: {
        deployments: {
          afterInitialEvent: async (index) => {
            if (index !== 1 || changed) return;
            changed = true;
            // two Deployments streamed, twenty to come: svc-0 is in the cache already, svc-21 not yet
            await optIn(cp, 0, 'false');
            await optIn(cp, 21, 'false');
            const h = hpa(2);
            h.spec!.maxReplicas = 9;
            await apply(cp, hpaPath(nsOf(2), 'hpa-2'), h);
            await call(cp, 'DELETE', hpaPath(nsOf(3), 'hpa-3'));
          },
        },
      },
    });
    try {
      await cache.start();
      assert.ok(changed, 'the changes were made while the list streamed');
      assert.equal(cache.deployments.stats.streamedLists, 1, 'the list was streamed');
      assert.equal(cache.deployments.stats.pages, 0, 'no page was read');
      await waitUntil(
        'svc-0 and svc-21 relabelled, hpa-2 changed, hpa-3 deleted (while the list streamed)',
        cache,
        () =>
          cache.deployments.get('svc-0', nsOf(0))?.metadata?.labels?.['gpu-hpa.io/enabled'] === 'false' &&
          cache.deployments.get('svc-21', nsOf(21))?.metadata?.labels?.['gpu-hpa.io/enabled'] === 'false' &&
          cache.hpas.get('hpa-3', nsOf(3)) === undefined &&
          cache.hpas.get('hpa-2', nsOf(2))?.spec?.maxReplicas === 9,
      );
      await assertCacheMatchesApi(cp, cache);
    } finally {
      await cache.stop();
      // as populate left them, for the next test
      await optIn(cp, 0, 'true');
      await optIn(cp, 21, 'true');
      await apply(cp, hpaPath(nsOf(2), 'hpa-2'), hpa(2));
      await apply(cp, hpaPath(nsOf(3), 'hpa-3'), hpa(3));
    }
  });

  test('a Deployment relabelled, an HPA changed and another deleted between two pages of the list: all in the cache after sync', async () => {
    let changed = false;
    const cache = new ClusterCache(cp.clientConfig(), {
      initialList: 'pages',
      pageSize: PAGE,
      hooks: {
        deployments: {
          afterPage: async ({ index }) => {
            if (index !== 1 || changed) return;
            changed = true;
            // svc-0 is on a page already read, svc-21 on a page not read yet: the list is one snapshot, so the watch must bring both
            await optIn(cp, 0, 'false');
            await optIn(cp, 21, 'false');
            const h = hpa(2);
            h.spec!.maxReplicas = 9;
            await apply(cp, hpaPath(nsOf(2), 'hpa-2'), h);
            await call(cp, 'DELETE', hpaPath(nsOf(3), 'hpa-3'));
          },
        },
        // the HPAs' list waits until the changes are made, so its snapshot may or may not hold them: both are right
      },
    });
    try {
      await cache.start();
      assert.ok(changed, 'the changes were made during the list');
      assert.ok(cache.deployments.stats.pages >= Math.ceil(DEPLOYMENTS / PAGE), `the list was paginated (${cache.deployments.stats.pages} pages)`);
      // the list is one snapshot (the first page's resourceVersion): what changed after it arrives through the watch
      await waitUntil(
        'svc-0 and svc-21 relabelled, hpa-2 changed, hpa-3 deleted (during the list)',
        cache,
        () =>
          cache.deployments.get('svc-0', nsOf(0))?.metadata?.labels?.['gpu-hpa.io/enabled'] === 'false' &&
          cache.deployments.get('svc-21', nsOf(21))?.metadata?.labels?.['gpu-hpa.io/enabled'] === 'false' &&
          cache.hpas.get('hpa-3', nsOf(3)) === undefined &&
          cache.hpas.get('hpa-2', nsOf(2))?.spec?.maxReplicas === 9,
      );
      await assertCacheMatchesApi(cp, cache);
    } finally {
      await cache.stop();
    }
  });

  test('an apiserver restart: the watch resumes (or relists) and changes made after it are in the cache', async () => {
    const cache = new ClusterCache(cp.clientConfig());
    try {
      await cache.start();
      assert.equal(cache.deployments.stats.streamedLists, 1, 'the list was streamed');
      await assertCacheMatchesApi(cp, cache);
      const watchesBefore = cache.deployments.stats.watches;
      await cp.restartApiServer();
      const relabelled = eventFor(cache.deployments, 'update', labelled('svc-5', 'false'));
      const created = eventFor(cache.deployments, 'add', (d) => d.metadata?.name === 'svc-after-restart');
      const gone = eventFor(cache.hpas, 'delete', (h) => h.metadata?.name === 'hpa-4');
      await optIn(cp, 5, 'false');
      const d = deployment(100);
      d.metadata!.name = 'svc-after-restart';
      await apply(cp, depPath(nsOf(100), 'svc-after-restart'), d);
      await call(cp, 'DELETE', hpaPath(nsOf(4), 'hpa-4'));
      await within(Promise.all([relabelled, created, gone]), 'svc-5 relabelled, svc-after-restart added, hpa-4 deleted (after the restart)');
      assert.ok(cache.deployments.stats.watches > watchesBefore, 'a new watch after the restart');
      await assertCacheMatchesApi(cp, cache);
    } finally {
      await cache.stop();
    }
  });
});

describe('e2e cache: 410 Gone (watch cache off, etcd compacted), a server without WatchList (lists in pages)', { timeout: 10 * 60_000 }, () => {
  // Without the watch cache the API server serves watches and continued lists from etcd, so a
  // compaction makes an older resourceVersion answer 410 Gone at once, as a large busy cluster's does.
  // With the WatchList feature gate off it refuses sendInitialEvents (422): the cache lists in pages.
  let cp: ControlPlane;
  before(
    async () => {
      cp = await startControlPlane({ controllerManager: false, apiserverArgs: ['--watch-cache=false', '--feature-gates=WatchList=false'] });
      await populate(cp);
    },
    { timeout: 5 * 60_000 },
  );
  after(async () => cp?.stop());

  test('410 on the watch: changes made while the watch was down are found by a fresh paginated list, deletions too', () =>
    relistAfterWatchGone(cp, 'pages', (stats) => {
      assert.equal(stats.lists, 2);
      assert.ok(stats.pages > 0, 'both lists read in pages');
    }));

  test('410 on a continue token (snapshot compacted mid-list): the list starts over and misses nothing', async () => {
    let compacted = false;
    // the default (stream): this server refuses it, so the cache falls back to pages
    const cache = new ClusterCache(cp.clientConfig(), {
      pageSize: PAGE,
      hooks: {
        deployments: {
          afterPage: async ({ index }) => {
            if (index !== 1 || compacted) return;
            compacted = true;
            await optIn(cp, 20, 'false');
            await call(cp, 'DELETE', depPath(nsOf(19), 'svc-19'));
            await compactEtcd(cp);
          },
        },
      },
    });
    try {
      await cache.start();
      assert.equal(cache.deployments.stats.streamedLists, 0, 'the server refused to stream the list (WatchList off)');
      assert.ok(compacted, 'so it was read in pages');
      assert.equal(cache.deployments.stats.relistsOnGone, 1, 'the continue answered 410 and the list started over');
      assert.equal(cache.deployments.get('svc-19', nsOf(19)), undefined, 'deleted during the list: not in the cache');
      assert.equal(cache.deployments.get('svc-20', nsOf(20))?.metadata?.labels?.['gpu-hpa.io/enabled'], 'false');
      await assertCacheMatchesApi(cp, cache);
    } finally {
      await cache.stop();
    }
  });
});

describe('e2e cache: 410 Gone after a streamed list (watch cache off, etcd compacted)', { timeout: 10 * 60_000 }, () => {
  let cp: ControlPlane;
  before(
    async () => {
      cp = await startControlPlane({ controllerManager: false, apiserverArgs: ['--watch-cache=false'] });
      await populate(cp);
    },
    { timeout: 5 * 60_000 },
  );
  after(async () => cp?.stop());

  test('410 on the watch that follows a streamed list: the list is streamed again and finds the changes, deletions too', () =>
    relistAfterWatchGone(cp, 'stream', (stats) => {
      assert.equal(stats.streamedLists, 2, 'both lists streamed');
      assert.equal(stats.pages, 0);
    }));
});

/**
 * The watch that follows a list answers 410 (the server ends each watch after a second; before the second
 * watch request, svc-7 is relabelled, svc-9 deleted and etcd compacted): the cache lists again — streamed or
 * in pages, as `initialList` says — and finds both changes. `check` asserts how the lists were read.
 */
async function relistAfterWatchGone(cp: ControlPlane, initialList: 'stream' | 'pages', check: (stats: ClusterCache['deployments']['stats']) => void): Promise<void> {
  let watchCalls = 0;
  let released = false;
  const cache = new ClusterCache(cp.clientConfig(), {
    initialList,
    pageSize: PAGE,
    hooks: {
      deployments: {
        watchTimeoutSeconds: () => 1,
        // the first request is the list (streamed: the stream that becomes the first watch); the second resumes the watch
        beforeWatch: async () => {
          if (++watchCalls !== 2 || released) return;
          released = true;
          await optIn(cp, 7, 'false');
          await call(cp, 'DELETE', depPath(nsOf(9), 'svc-9'));
          await compactEtcd(cp);
        },
      },
    },
  });
  try {
    const relabelled = eventFor(cache.deployments, 'update', labelled('svc-7', 'false'));
    const deleted = eventFor(cache.deployments, 'delete', (d) => d.metadata?.name === 'svc-9');
    await cache.start();
    await within(Promise.all([relabelled, deleted]), 'svc-7 relabelled and svc-9 deleted (while the watch was down)');
    assert.equal(cache.deployments.stats.relistsOnGone, 1, 'the watch answered 410 and the cache listed again');
    check(cache.deployments.stats);
    await assertCacheMatchesApi(cp, cache);
  } finally {
    await cache.stop();
  }
}

/** Resolves when `ok` holds, checked after each event of either list/watch (no polling interval). */
function waitUntil(what: string, cache: ClusterCache, ok: () => boolean): Promise<void> {
  if (ok()) return Promise.resolve();
  return within(
    new Promise((resolve) => {
      const check = () => {
        if (!ok()) return;
        for (const e of ['add', 'update', 'delete'] as const) {
          cache.deployments.off(e, check);
          cache.hpas.off(e, check);
        }
        resolve();
      };
      for (const e of ['add', 'update', 'delete'] as const) {
        cache.deployments.on(e, check);
        cache.hpas.on(e, check);
      }
    }),
    what,
  );
}
