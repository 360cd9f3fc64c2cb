// The product's own Kubernetes client (src/controller/kubeconfig.ts, kube.ts) against a real kube-apiserver:
// an exec credential plugin (test/fixtures/kubeconfig/plugin.sh) and a tokenFile whose token the API server
// refuses, then accepts after it changed — the 401 makes the client ask again (client-go's exec.go and
// cachingTokenSource); each verb and patch type; the API server's Status errors as ApiError.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ClusterCache } from '../../src/controller/informers.js';
import { ApiError, KubeClient } from '../../src/controller/kube.js';
import { loadKubeConfigFile } from '../../src/controller/kubeconfig.js';
import { startControlPlane, type ControlPlane } from './cluster.js';

const PLUGIN = fileURLToPath(new URL('../fixtures/kubeconfig/plugin.sh', import.meta.url));

const refusedWith = (code: number, reason: string, message: RegExp) => (e: unknown) => e instanceof ApiError && e.code === code && e.reason === reason && message.test(e.message);

describe('e2e: the Kubernetes client against a real kube-apiserver', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let dir: string;
  before(async () => {
    cp = await startControlPlane({ controllerManager: false });
    dir = await mkdtemp(join(tmpdir(), 'kubeconfig-e2e-'));
  });
  after(async () => cp?.stop());

  /** A kubeconfig for the test API server with this user, written to a file. */
  async function kubeconfig(name: string, user: Record<string, unknown>): Promise<string> {
    const file = join(dir, `${name}.kubeconfig`);
    const doc = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': name,
      contexts: [{ name, context: { cluster: 'e2e', user: name } }],
      clusters: [{ name: 'e2e', cluster: { server: cp.server, 'insecure-skip-tls-verify': true } }],
      users: [{ name, user }],
    };
    await writeFile(file, JSON.stringify(doc));
    return file;
  }

  test('exec plugin: a token the API server refuses (401), then the plugin is asked again and its new token is accepted', async () => {
    const tokenFile = join(dir, 'plugin-token');
    const runs = join(dir, 'plugin-runs');
    await writeFile(tokenFile, 'not-a-valid-token');
    const file = await kubeconfig('exec', {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: PLUGIN,
        interactiveMode: 'Never',
        env: [
          { name: 'PLUGIN_API_VERSION', value: 'client.authentication.k8s.io/v1' },
          { name: 'PLUGIN_TOKEN_FILE', value: tokenFile },
          { name: 'PLUGIN_RUNS', value: runs },
        ],
      },
    });
    const kc = loadKubeConfigFile(file);
    const client = new KubeClient(kc);
    try {
      await assert.rejects(client.get('/api/v1/namespaces'), refusedWith(401, 'Unauthorized', /Unauthorized/));
      await writeFile(tokenFile, cp.adminToken);
      const list = await client.get<{ items: Array<{ metadata: { name: string } }> }>('/api/v1/namespaces');
      assert.ok(list.items.some((n) => n.metadata.name === 'default'));
      assert.equal(await readFile(runs, 'utf8'), 'run\nrun\n', 'the 401 made the client run the plugin again');
      await client.get('/api/v1/namespaces/default');
      assert.equal(await readFile(runs, 'utf8'), 'run\nrun\n', 'an accepted token is kept');
      // the cache's lists and watches go through the same credentials
      const cache = new ClusterCache(kc);
      try {
        await cache.start();
        await cache.namespacesReady();
        assert.equal(cache.view().namespaceLabels?.('default')?.['kubernetes.io/metadata.name'], 'default');
      } finally {
        await cache.stop();
      }
    } finally {
      client.close();
    }
  });

  test('tokenFile: refused, then the file changes and the next request after the 401 reads it again', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'not-a-valid-token\n');
    const client = new KubeClient(loadKubeConfigFile(await kubeconfig('token-file', { tokenFile })));
    try {
      await assert.rejects(client.get('/api/v1/namespaces/default'), refusedWith(401, 'Unauthorized', /Unauthorized/));
      await writeFile(tokenFile, `${cp.adminToken}\n`);
      const ns = await client.get<{ metadata: { name: string } }>('/api/v1/namespaces/default');
      assert.equal(ns.metadata.name, 'default');
    } finally {
      client.close();
    }
  });

  test("create, get, patch (merge, strategic, apply), replace, delete with a precondition; the API server's Status as ApiError", async () => {
    const client = new KubeClient(cp.clientConfig());
    const path = '/api/v1/namespaces/default/configmaps';
    type Cm = { metadata: { name: string; uid: string; resourceVersion: string; labels?: Record<string, string> }; data?: Record<string, string> };
    try {
      const created = await client.create<Cm>(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } });
      await assert.rejects(client.create(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }), refusedWith(409, 'AlreadyExists', /configmaps "c" already exists/));
      await client.patch(`${path}/c`, { data: { b: '2' } }, 'merge');
      await client.patch(`${path}/c`, { metadata: { labels: { l: 'x' } } }, 'strategic');
      await client.patch(`${path}/c`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { z: '26' } }, 'apply', { fieldManager: 'e2e', force: 'true' });
      const got = await client.get<Cm>(`${path}/c`);
      assert.deepEqual(got.data, { a: '1', b: '2', z: '26' });
      assert.equal(got.metadata.labels?.l, 'x');
      // a stale resourceVersion: 409 Conflict
      await assert.rejects(
        client.replace(`${path}/c`, { ...got, metadata: { ...got.metadata, resourceVersion: created.metadata.resourceVersion } }),
        refusedWith(409, 'Conflict', /the object has been modified/),
      );
      await assert.rejects(client.patch(`${path}/c`, { data: { n: 1 } }, 'apply'), refusedWith(422, 'Invalid', /fieldManager: Required value: is required for apply patch/));
      await assert.rejects(client.delete(`${path}/c`, { preconditions: { uid: 'not-its-uid' } }), refusedWith(409, 'Conflict', /the UID in the precondition \(not-its-uid\) does not match/));
      await client.delete(`${path}/c`, { preconditions: { uid: created.metadata.uid } });
      await assert.rejects(client.get(`${path}/c`), refusedWith(404, 'NotFound', /configmaps "c" not found/));
    } finally {
      client.close();
    }
  });
});
