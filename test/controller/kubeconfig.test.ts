// Kubeconfig loading (src/controller/kubeconfig.ts) on fixture kubeconfigs (test/fixtures/kubeconfig/):
// what each field gives the HTTP client, relative paths, the exec plugin protocol, token files, and the
// errors naming the field. Against a real API server: test/e2e/kubeconfig.e2e.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inClusterConfig, KubeConfigError, loadKubeConfigFile, parseKubeConfig, TOKEN_FILE_PERIOD_MS } from '../../src/controller/kubeconfig.js';

const DIR = fileURLToPath(new URL('../fixtures/kubeconfig/', import.meta.url));
const fixture = (name: string) => join(DIR, name);
const pem = (name: string) => readFileSync(fixture(name), 'utf8');

/** A kubeconfig with one cluster and one user, written into the fixture folder's namespace (relative paths resolve there). */
function config(cluster: Record<string, unknown>, user: Record<string, unknown>, o: { now?: () => number } = {}) {
  const text = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'c',
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
    clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:6443', ...cluster } }],
    users: [{ name: 'u', user }],
  });
  return parseKubeConfig(text, { file: fixture('inline.yaml'), ...o });
}

const refused = (f: () => unknown, message: RegExp) => assert.throws(f, (e: unknown) => e instanceof KubeConfigError && message.test(e.message), message.source);

const tmp = () => mkdtempSync(join(tmpdir(), 'kubeconfig-test-'));

test('files.yaml: the current context (not the first), the CA and client certificate read relative to the kubeconfig, tls-server-name', async () => {
  const kc = loadKubeConfigFile(fixture('files.yaml'));
  assert.equal(kc.context, 'files');
  assert.equal(kc.server, 'https://k8s.example.test:6443', 'trailing slash dropped');
  assert.equal(kc.ca, pem('ca.pem'));
  assert.equal(kc.tlsServerName, 'kubernetes.default.svc');
  assert.equal(kc.insecureSkipTlsVerify, false);
  assert.deepEqual(await kc.credentials(), { cert: pem('client.pem'), key: pem('client-key.pem') });
});

test('inline *-data wins and is base64 of PEM; a token is sent as given', async () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const kc = config(
    { 'certificate-authority-data': b64(pem('ca.pem')), 'certificate-authority': 'no-such-file.pem' },
    { 'client-certificate-data': b64(pem('client.pem')), 'client-key-data': b64(pem('client-key.pem')), token: 'abc' },
  );
  assert.equal(kc.ca, pem('ca.pem'));
  assert.deepEqual(await kc.credentials(), { token: 'abc', cert: pem('client.pem'), key: pem('client-key.pem') });
  refused(() => config({ 'certificate-authority-data': 'bm90IHBlbQ==' }, {}), /clusters\["k"\]\.cluster\.certificate-authority-data is not base64 of PEM data/);
});

test('token-file.yaml: the token is read from the file, again after a minute, and at once after a 401 with it', async () => {
  const dir = tmp();
  const file = join(dir, 'token');
  writeFileSync(file, 'one\n');
  let now = 0;
  const kc = config({ 'insecure-skip-tls-verify': true }, { tokenFile: file }, { now: () => now });
  assert.deepEqual(await kc.credentials(), { token: 'one', cert: undefined, key: undefined });
  writeFileSync(file, 'two\n');
  now = TOKEN_FILE_PERIOD_MS - 1;
  assert.equal((await kc.credentials()).token, 'one', 'cached within the minute');
  now = TOKEN_FILE_PERIOD_MS;
  assert.equal((await kc.credentials()).token, 'two', 'read again after a minute');
  writeFileSync(file, 'three\n');
  kc.unauthorized({ token: 'stale' });
  assert.equal((await kc.credentials()).token, 'two', 'a 401 with an older token does not drop the current one');
  kc.unauthorized({ token: 'two' });
  assert.equal((await kc.credentials()).token, 'three', 'a 401 with the current token: read again');
  // the fixture: a relative tokenFile is relative to the kubeconfig
  assert.equal((await loadKubeConfigFile(fixture('token-file.yaml')).credentials()).token, 'file-token');
  refused(() => config({}, { tokenFile: 'missing-token' }), /users\["u"\]\.user\.tokenFile: cannot read the token file .*missing-token/);
});

test('in cluster: the ServiceAccount CA and token, an IPv6 service address in brackets, the token re-read', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'ca.crt'), pem('ca.pem'));
  writeFileSync(join(dir, 'token'), 'sa-1');
  let now = 0;
  const kc = inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir, () => now);
  assert.equal(kc.server, 'https://[fd00::1]:443');
  assert.equal(kc.ca, pem('ca.pem'));
  assert.equal((await kc.credentials()).token, 'sa-1');
  writeFileSync(join(dir, 'token'), 'sa-2'); // the kubelet rotated the projected token
  now = TOKEN_FILE_PERIOD_MS;
  assert.equal((await kc.credentials()).token, 'sa-2');
  refused(() => inClusterConfig({}, dir), /not running in a pod.*give --kubeconfig FILE/);
  refused(() => inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, join(dir, 'none')), /ServiceAccount CA .*none\/ca\.crt/);
});

test('exec.yaml: the plugin runs with the kubeconfig env and KUBERNETES_EXEC_INFO (cluster info when asked), once while its token is valid', async () => {
  const dir = tmp();
  const info = join(dir, 'info');
  const runs = join(dir, 'runs');
  const text = readFileSync(fixture('exec.yaml'), 'utf8').replace(
    '- { name: PLUGIN_TOKEN, value: from-the-plugin }',
    `- { name: PLUGIN_TOKEN, value: from-the-plugin }\n          - { name: PLUGIN_INFO, value: '${info}' }\n          - { name: PLUGIN_RUNS, value: '${runs}' }`,
  );
  const kc = parseKubeConfig(text, { file: fixture('exec.yaml') });
  const [a, b] = await Promise.all([kc.credentials(), kc.credentials()]);
  assert.deepEqual(a, { token: 'from-the-plugin' });
  assert.deepEqual(b, a);
  assert.equal(readFileSync(runs, 'utf8'), 'run\n', 'concurrent requests share one run');
  const sent = JSON.parse(readFileSync(info, 'utf8')) as { apiVersion: string; kind: string; spec: { interactive: boolean; cluster?: Record<string, unknown> } };
  assert.equal(sent.apiVersion, 'client.authentication.k8s.io/v1');
  assert.equal(sent.kind, 'ExecCredential');
  assert.equal(sent.spec.interactive, false);
  assert.equal(sent.spec.cluster?.server, 'https://cloud.example.test');
  assert.equal(sent.spec.cluster?.['certificate-authority-data'], Buffer.from(pem('ca.pem')).toString('base64'));
  await kc.credentials();
  assert.equal(readFileSync(runs, 'utf8'), 'run\n', 'no expirationTimestamp: kept');
  kc.unauthorized({ token: 'from-the-plugin' });
  await kc.credentials();
  assert.equal(readFileSync(runs, 'utf8'), 'run\nrun\n', 'a 401: the plugin is asked again');
});

/** An exec user running the fixture plugin.sh with these env settings. */
function execUser(env: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: './plugin.sh',
      env: Object.entries({ PLUGIN_API_VERSION: 'client.authentication.k8s.io/v1beta1', ...env }).map(([name, value]) => ({ name, value })),
      ...extra,
    },
  };
}

test('exec: kept until status.expirationTimestamp, then run again', async () => {
  const dir = tmp();
  const runs = join(dir, 'runs');
  let now = Date.parse('2030-01-01T00:00:00Z');
  const kc = config({}, execUser({ PLUGIN_TOKEN: 't', PLUGIN_RUNS: runs, PLUGIN_EXPIRES: '2030-01-01T00:10:00Z' }), { now: () => now });
  await kc.credentials();
  now += 9 * 60_000;
  await kc.credentials();
  assert.equal(readFileSync(runs, 'utf8'), 'run\n');
  now += 2 * 60_000;
  await kc.credentials();
  assert.equal(readFileSync(runs, 'utf8'), 'run\nrun\n');
});

test("exec: what the plugin gets wrong is an error naming the user's exec and the fix", async () => {
  const fails = async (env: Record<string, string>, message: RegExp, extra: Record<string, unknown> = {}) => {
    await assert.rejects(config({}, execUser(env, extra)).credentials(), (e: unknown) => e instanceof KubeConfigError && message.test(e.message), message.source);
  };
  await fails({ PLUGIN_MODE: 'fail' }, /users\["u"\]\.user\.exec: command "\.\/plugin\.sh" failed \(exit 3\): plugin: no credentials for you/);
  await fails({ PLUGIN_MODE: 'not-json' }, /did not print an ExecCredential \(not JSON\): Please log in first/);
  await fails({ PLUGIN_MODE: 'no-status' }, /ExecCredential has no status/);
  await fails({ PLUGIN_MODE: 'cert-only' }, /only one of status\.clientCertificateData and status\.clientKeyData/);
  await fails({ PLUGIN_TOKEN: '' }, /neither status\.token nor status\.clientCertificateData/);
  await fails(
    { PLUGIN_API_VERSION: 'client.authentication.k8s.io/v1', PLUGIN_TOKEN: 't' },
    /configured for client\.authentication\.k8s\.io\/v1beta1 but returned "client\.authentication\.k8s\.io\/v1"/,
  );
  await fails({ PLUGIN_TOKEN: 't', PLUGIN_EXPIRES: 'tomorrow' }, /expirationTimestamp "tomorrow" is not an RFC 3339 time/);
  await fails({}, /command "no-such-plugin-xyz" not found\ninstall it with: brew install xyz/, { command: 'no-such-plugin-xyz', installHint: 'install it with: brew install xyz' });
  await fails({ PLUGIN_TOKEN: 't' }, /interactiveMode Always needs a terminal on standard input/, { interactiveMode: 'Always' });
});

test('what this client does not support is refused when the kubeconfig is loaded, naming the field', () => {
  refused(() => loadKubeConfigFile(fixture('auth-provider.yaml')), /users\["gke-user"\]\.user\.auth-provider is set: auth-provider plugins were removed .*use an exec credential plugin/);
  refused(() => config({ 'proxy-url': 'http://proxy:3128' }, {}), /clusters\["k"\]\.cluster\.proxy-url is set: proxies are not supported/);
  refused(() => config({}, { username: 'admin', password: 'x' }), /users\["u"\]\.user\.username is set: basic authentication is not supported/);
  refused(() => config({}, { as: 'someone' }), /users\["u"\]\.user\.as is set: impersonation is not supported/);
  refused(() => config({}, { exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' } }), /exec\.apiVersion "client\.authentication\.k8s\.io\/v1alpha1" is not supported/);
  refused(() => config({}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'x' } }), /exec\.interactiveMode must be set for client\.authentication\.k8s\.io\/v1/);
  refused(() => config({}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never' } }), /exec\.command is not set/);
  refused(() => config({ 'insecure-skip-tls-verify': true, 'certificate-authority': 'ca.pem' }, {}), /certificate-authority and insecure-skip-tls-verify are both set/);
  refused(() => config({}, { 'client-certificate': 'client.pem' }), /needs both client-certificate\(-data\) and client-key\(-data\)/);
  refused(() => config({ server: 'k8s.example.test:6443' }, {}), /server "k8s\.example\.test:6443": the scheme must be https/);
  refused(() => config({ 'certificate-authority': 'missing.pem' }, {}), /clusters\["k"\]\.cluster\.certificate-authority missing\.pem: ENOENT/);
});

test('a kubeconfig that is not one: the file and what is missing', () => {
  const dir = tmp();
  const write = (text: string) => {
    const f = join(dir, 'config');
    writeFileSync(f, text);
    return f;
  };
  refused(() => loadKubeConfigFile(join(dir, 'absent')), /kubeconfig .*absent: cannot read it/);
  refused(() => loadKubeConfigFile(write('- a list\n')), /not a kubeconfig/);
  refused(() => loadKubeConfigFile(write('clusters: [\n')), /not YAML/);
  refused(() => loadKubeConfigFile(write('contexts: []\n')), /current-context is not set; set it with kubectl config use-context NAME/);
  refused(() => loadKubeConfigFile(write('current-context: x\ncontexts: [{name: y, context: {cluster: k}}]\n')), /context "x" is not in contexts \(y\)/);
  refused(() => loadKubeConfigFile(write('current-context: x\ncontexts: [{name: x, context: {cluster: k}}]\n')), /cluster "k" is not in clusters \(missing\)/);
  refused(() => loadKubeConfigFile(write('current-context: x\ncontexts: [{name: x, context: {cluster: k}}]\nclusters: [{name: k, cluster: {}}]\n')), /clusters\["k"\]\.cluster\.server is not set/);
});
