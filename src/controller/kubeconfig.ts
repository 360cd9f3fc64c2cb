// Where the API server is and how to prove who we are: a kubeconfig file (`--kubeconfig`, `audit`,
// `check` on a laptop) or the pod's ServiceAccount. Written here rather than taken from
// @kubernetes/client-node, whose KubeConfig module imports its whole generated API (~70 MiB of RSS
// measured for the import alone, docs/benchmarks.md "Session 7"). Semantics follow client-go:
// - in cluster (rest/config.go InClusterConfig): https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT,
//   the ServiceAccount's ca.crt, and its token file re-read at most a minute after it changes, and on
//   the next request after a 401 (transport/token_source.go cachingTokenSource, ResetTokenOlderThan);
// - a kubeconfig (tools/clientcmd/api/v1/types.go for the fields, clientcmd/loader.go ResolveLocalPaths:
//   file paths are relative to the kubeconfig's folder; client_config.go: the current-context's cluster
//   and user, inline *-data wins over a file, tokenFile read like the ServiceAccount token);
// - exec credential plugins (plugin/pkg/client/auth/exec/exec.go): client.authentication.k8s.io/v1 or
//   v1beta1; the plugin runs with the kubeconfig's env added, KUBERNETES_EXEC_INFO holding an
//   ExecCredential (spec.interactive, spec.cluster when provideClusterInfo), stderr passed through, stdin
//   only when interactive; its answer must be an ExecCredential of the same apiVersion with a token or a
//   client certificate and key; it is kept until status.expirationTimestamp, and asked again after a 401.
//   v1 requires interactiveMode; Always needs a terminal on stdin.
// What client-go supports and this does not (auth-provider, username/password, impersonation, proxies)
// is refused when the kubeconfig is loaded, with an error naming the field.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The ServiceAccount's files in a pod (rest/config.go InClusterConfig). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** How long a token read from a file is used before the file is read again (transport/token_source.go: 1 minute). */
export const TOKEN_FILE_PERIOD_MS = 60_000;

export interface Credentials {
  token?: string;
  /** PEM client certificate and key (the kubeconfig's, or an exec plugin's) */
  cert?: string;
  key?: string;
}

/** What the HTTP client needs: the server, the TLS settings, and the credentials of each request. */
export interface KubeConfig {
  /** https://host:port[/prefix], no trailing slash */
  server: string;
  /** for messages: the context's name, or "in-cluster" */
  context: string;
  /** PEM CA certificate(s) the server's certificate must chain to; undefined: the system's */
  ca?: string;
  insecureSkipTlsVerify: boolean;
  /** SNI and the name checked in the server's certificate (tls-server-name) */
  tlsServerName?: string;
  /** the credentials for the next request (a plugin may run, a file be read) */
  credentials(): Promise<Credentials>;
  /** the server answered 401 with the given credentials: get new ones for the next request */
  unauthorized(used: Credentials): void;
}

/** A kubeconfig the client cannot use; the message names the file, the entry and the field. */
export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}

/** --kubeconfig FILE, else the in-cluster ServiceAccount. */
export function loadKubeConfig(file?: string): KubeConfig {
  return file ? loadKubeConfigFile(file) : inClusterConfig();
}

/** A token read from a file, read again after TOKEN_FILE_PERIOD_MS or after a 401 (client-go's cachingTokenSource). */
export function fileTokenSource(path: string, what: string, now: () => number = Date.now): { token(): string; reset(used: string): void } {
  let cached: { token: string; at: number } | undefined;
  return {
    token() {
      if (cached && now() - cached.at < TOKEN_FILE_PERIOD_MS) return cached.token;
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        // a token that was read once stays in use while the file cannot be read (client-go logs and keeps it)
        if (cached) return cached.token;
        throw new KubeConfigError(`${what}: cannot read the token file ${path}: ${(e as Error).message}`);
      }
      cached = { token: text.trim(), at: now() };
      return cached.token;
    },
    reset(used) {
      if (cached?.token === used) cached = undefined;
    },
  };
}

/** The pod's ServiceAccount (rest/config.go InClusterConfig). */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR, now: () => number = Date.now): KubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new KubeConfigError('not running in a pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set): give --kubeconfig FILE');
  }
  let ca: string;
  try {
    ca = readFileSync(`${dir}/ca.crt`, 'utf8');
  } catch (e) {
    throw new KubeConfigError(`in-cluster: cannot read the ServiceAccount CA ${dir}/ca.crt: ${(e as Error).message}`);
  }
  const source = fileTokenSource(`${dir}/token`, 'in-cluster', now);
  source.token(); // a missing token is an error now, not at the first request
  return {
    // net.JoinHostPort: an IPv6 service address in brackets
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    context: 'in-cluster',
    ca,
    insecureSkipTlsVerify: false,
    credentials: () => Promise.resolve({ token: source.token() }),
    unauthorized: (used) => (used.token !== undefined ? source.reset(used.token) : undefined),
  };
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields of each kubeconfig entry this client reads; any other set field is refused (named). */
const CLUSTER_FIELDS = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'extensions', 'disable-compression']);
const USER_FIELDS = new Set(['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token', 'tokenFile', 'exec', 'extensions']);
const EXEC_FIELDS = new Set(['apiVersion', 'command', 'args', 'env', 'installHint', 'provideClusterInfo', 'interactiveMode']);
const EXEC_API_VERSIONS = new Set(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']);
const WHY_NOT: Record<string, string> = {
  'proxy-url': 'proxies are not supported; reach the API server directly',
  'auth-provider': 'auth-provider plugins were removed from client-go in Kubernetes 1.26; use an exec credential plugin (e.g. gke-gcloud-auth-plugin, kubelogin)',
  username: 'basic authentication is not supported; use a token, a client certificate or an exec plugin',
  password: 'basic authentication is not supported; use a token, a client certificate or an exec plugin',
  as: 'impersonation is not supported',
  'as-uid': 'impersonation is not supported',
  'as-groups': 'impersonation is not supported',
  'as-user-extra': 'impersonation is not supported',
};

function refuseUnknown(o: Obj, known: Set<string>, where: string): void {
  for (const [k, v] of Object.entries(o)) {
    if (known.has(k) || v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0)) continue;
    throw new KubeConfigError(`${where}.${k} is set: ${WHY_NOT[k] ?? 'this field is not supported by gpu-hpa-webhook'}`);
  }
}

function str(o: Obj, k: string, where: string): string | undefined {
  const v = o[k];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new KubeConfigError(`${where}.${k} must be a string, not ${JSON.stringify(v)}`);
  return v;
}

/** The entry named `name` of a kubeconfig list (clusters, users, contexts). */
function entry(doc: Obj, list: string, field: string, name: string, where: string): Obj {
  const items = doc[list];
  const found: unknown = Array.isArray(items) ? items.find((i) => isObj(i) && i.name === name) : undefined;
  if (!isObj(found))
    throw new KubeConfigError(`${where}: ${field} "${name}" is not in ${list} (${Array.isArray(items) ? items.map((i) => (isObj(i) ? String(i.name) : '?')).join(', ') || 'empty' : 'missing'})`);
  const inner = found[field];
  if (!isObj(inner)) throw new KubeConfigError(`${where}: ${list} entry "${name}" has no ${field}`);
  return inner;
}

/** A kubeconfig file (its relative paths are relative to its folder, as clientcmd's loader resolves them). */
export function loadKubeConfigFile(file: string, env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now): KubeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KubeConfigError(`kubeconfig ${file}: cannot read it: ${(e as Error).message}`);
  }
  return parseKubeConfig(text, { file, env, now });
}

export interface ParseOptions {
  /** for messages and relative paths */
  file: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

export function parseKubeConfig(text: string, o: ParseOptions): KubeConfig {
  const where = `kubeconfig ${o.file}`;
  const base = dirname(resolve(o.file));
  const path = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const read = (p: string, field: string) => {
    try {
      return readFileSync(path(p), 'utf8');
    } catch (e) {
      throw new KubeConfigError(`${where}: ${field} ${p}: ${(e as Error).message}`);
    }
  };
  const b64 = (v: string, field: string) => {
    const s = Buffer.from(v, 'base64').toString('utf8');
    if (!s.includes('-----BEGIN')) throw new KubeConfigError(`${where}: ${field} is not base64 of PEM data`);
    return s;
  };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new KubeConfigError(`${where}: not YAML: ${(e as Error).message}`);
  }
  if (!isObj(doc)) throw new KubeConfigError(`${where}: not a kubeconfig (expected a mapping with clusters, users, contexts, current-context)`);
  const contextName = str(doc, 'current-context', where);
  if (!contextName) throw new KubeConfigError(`${where}: current-context is not set; set it with kubectl config use-context NAME`);
  const ctx = entry(doc, 'contexts', 'context', contextName, where);
  const clusterName = str(ctx, 'cluster', `${where} context "${contextName}"`);
  if (!clusterName) throw new KubeConfigError(`${where}: context "${contextName}" names no cluster`);
  const cluster = entry(doc, 'clusters', 'cluster', clusterName, where);
  const cw = `${where} clusters["${clusterName}"].cluster`;
  refuseUnknown(cluster, CLUSTER_FIELDS, cw);
  const server = str(cluster, 'server', cw);
  if (!server) throw new KubeConfigError(`${cw}.server is not set`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeConfigError(`${cw}.server "${server}" is not a URL (expected https://HOST:PORT)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KubeConfigError(`${cw}.server "${server}": the scheme must be https (or http)`);
  const caData = str(cluster, 'certificate-authority-data', cw);
  const caFile = str(cluster, 'certificate-authority', cw);
  const ca = caData ? b64(caData, `${cw}.certificate-authority-data`) : caFile ? read(caFile, `${cw}.certificate-authority`) : undefined;
  const insecure = cluster['insecure-skip-tls-verify'] === true;
  if (insecure && ca) throw new KubeConfigError(`${cw}: certificate-authority and insecure-skip-tls-verify are both set; keep one (client-go refuses both)`);
  const tlsServerName = str(cluster, 'tls-server-name', cw);

  const userName = str(ctx, 'user', `${where} context "${contextName}"`);
  const user = userName ? entry(doc, 'users', 'user', userName, where) : {};
  const uw = `${where} users["${userName ?? ''}"].user`;
  refuseUnknown(user, USER_FIELDS, uw);
  const certData = str(user, 'client-certificate-data', uw);
  const certFile = str(user, 'client-certificate', uw);
  const keyData = str(user, 'client-key-data', uw);
  const keyFile = str(user, 'client-key', uw);
  const cert = certData ? b64(certData, `${uw}.client-certificate-data`) : certFile ? read(certFile, `${uw}.client-certificate`) : undefined;
  const key = keyData ? b64(keyData, `${uw}.client-key-data`) : keyFile ? read(keyFile, `${uw}.client-key`) : undefined;
  if ((cert === undefined) !== (key === undefined)) throw new KubeConfigError(`${uw}: a client certificate needs both client-certificate(-data) and client-key(-data)`);
  const token = str(user, 'token', uw);
  const tokenFile = str(user, 'tokenFile', uw);
  const execConfig = user.exec;
  const base64Cluster = ca ? Buffer.from(ca).toString('base64') : undefined;
  const common = { server: server.replace(/\/+$/, ''), context: contextName, ca, insecureSkipTlsVerify: insecure, tlsServerName };

  if (execConfig !== undefined && execConfig !== null) {
    if (!isObj(execConfig)) throw new KubeConfigError(`${uw}.exec must be a mapping`);
    const plugin = execPlugin(execConfig, `${uw}.exec`, {
      base,
      env: o.env ?? process.env,
      now: o.now ?? Date.now,
      cluster: { server: common.server, 'certificate-authority-data': base64Cluster, 'insecure-skip-tls-verify': insecure || undefined, 'tls-server-name': tlsServerName },
    });
    return {
      ...common,
      // a token or client certificate written in the kubeconfig wins over the plugin's (exec.go: "If a user has already set credentials, use that")
      credentials: async () => {
        const got: Credentials = token || tokenFile || cert ? {} : await plugin.credentials();
        return { ...got, ...(token ? { token } : {}), ...(cert ? { cert, key } : {}) };
      },
      unauthorized: (used) => plugin.unauthorized(used),
    };
  }
  if (token) return { ...common, credentials: () => Promise.resolve({ token, cert, key }), unauthorized: () => undefined };
  if (tokenFile) {
    const source = fileTokenSource(path(tokenFile), `${uw}.tokenFile`, o.now ?? Date.now);
    source.token();
    return { ...common, credentials: () => Promise.resolve({ token: source.token(), cert, key }), unauthorized: (used) => (used.token ? source.reset(used.token) : undefined) };
  }
  return { ...common, credentials: () => Promise.resolve({ cert, key }), unauthorized: () => undefined };
}

interface ExecOptions {
  base: string;
  env: NodeJS.ProcessEnv;
  now: () => number;
  cluster: Record<string, unknown>;
}

/** An exec credential plugin (plugin/pkg/client/auth/exec/exec.go). */
function execPlugin(cfg: Obj, where: string, o: ExecOptions): { credentials(): Promise<Credentials>; unauthorized(used: Credentials): void } {
  refuseUnknown(cfg, EXEC_FIELDS, where);
  const apiVersion = str(cfg, 'apiVersion', where);
  if (!apiVersion || !EXEC_API_VERSIONS.has(apiVersion)) {
    throw new KubeConfigError(`${where}.apiVersion ${JSON.stringify(apiVersion ?? '')} is not supported: use client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1`);
  }
  const commandGiven = str(cfg, 'command', where);
  if (!commandGiven) throw new KubeConfigError(`${where}.command is not set`);
  // clientcmd/loader.go: a command with a path separator is relative to the kubeconfig; a bare name is looked up in PATH
  const command = commandGiven.includes('/') && !isAbsolute(commandGiven) ? resolve(o.base, commandGiven) : commandGiven;
  const args = cfg.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new KubeConfigError(`${where}.args must be a list of strings`);
  const envList = cfg.env ?? [];
  if (!Array.isArray(envList)) throw new KubeConfigError(`${where}.env must be a list of {name, value}`);
  const env: Record<string, string> = {};
  for (const [i, e] of envList.entries()) {
    if (!isObj(e) || typeof e.name !== 'string' || typeof e.value !== 'string') throw new KubeConfigError(`${where}.env[${i}] must be {name: string, value: string}`);
    env[e.name] = e.value;
  }
  // v1 makes interactiveMode required; v1beta1 defaults it to IfAvailable (clientcmd/api/v1/defaults.go)
  const mode = str(cfg, 'interactiveMode', where) ?? (apiVersion.endsWith('/v1beta1') ? 'IfAvailable' : undefined);
  if (mode === undefined) throw new KubeConfigError(`${where}.interactiveMode must be set for ${apiVersion} (Never, IfAvailable or Always)`);
  if (!['Never', 'IfAvailable', 'Always'].includes(mode)) throw new KubeConfigError(`${where}.interactiveMode "${mode}": expected Never, IfAvailable or Always`);
  const installHint = str(cfg, 'installHint', where);
  const provideClusterInfo = cfg.provideClusterInfo === true;

  let cached: { creds: Credentials; expires?: number } | undefined;
  let running: Promise<Credentials> | undefined;
  const run = async (): Promise<Credentials> => {
    const terminal = process.stdin.isTTY === true;
    if (mode === 'Always' && !terminal) throw new KubeConfigError(`${where}: interactiveMode Always needs a terminal on standard input, and there is none`);
    const interactive = mode !== 'Never' && terminal;
    const info = { apiVersion, kind: 'ExecCredential', spec: { interactive, ...(provideClusterInfo ? { cluster: o.cluster } : {}) } };
    const stdout = await new Promise<string>((resolveRun, reject) => {
      const child = execFile(command, args, { env: { ...o.env, ...env, KUBERNETES_EXEC_INFO: JSON.stringify(info) }, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' }, (err, out, errOut) => {
        if (!err) return resolveRun(out);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new KubeConfigError(`${where}: command "${commandGiven}" not found${installHint ? `\n${installHint}` : ''}`));
        // its stderr went to ours too (exec.go passes it through); the message keeps its end for the logs
        const said = errOut.trim().split('\n').slice(-3).join(' / ');
        reject(new KubeConfigError(`${where}: command "${commandGiven}" failed (exit ${String(err.code ?? err.signal)})${said ? `: ${said.slice(0, 500)}` : ''}`));
      });
      child.stderr?.pipe(process.stderr);
      if (interactive) process.stdin.pipe(child.stdin!);
      else child.stdin?.end();
    });
    let cred: unknown;
    try {
      cred = JSON.parse(stdout);
    } catch {
      throw new KubeConfigError(`${where}: command "${commandGiven}" did not print an ExecCredential (not JSON): ${stdout.slice(0, 200)}`);
    }
    if (!isObj(cred) || cred.kind !== 'ExecCredential')
      throw new KubeConfigError(`${where}: command "${commandGiven}" printed ${isObj(cred) ? `kind ${JSON.stringify(cred.kind)}` : 'no object'}, not an ExecCredential`);
    if (cred.apiVersion !== apiVersion) throw new KubeConfigError(`${where}: the plugin is configured for ${apiVersion} but returned ${JSON.stringify(cred.apiVersion)}`);
    const status = cred.status;
    if (!isObj(status)) throw new KubeConfigError(`${where}: the plugin's ExecCredential has no status`);
    const token = typeof status.token === 'string' && status.token ? status.token : undefined;
    const cert = typeof status.clientCertificateData === 'string' && status.clientCertificateData ? status.clientCertificateData : undefined;
    const key = typeof status.clientKeyData === 'string' && status.clientKeyData ? status.clientKeyData : undefined;
    if (!token && !cert && !key) throw new KubeConfigError(`${where}: the plugin returned neither status.token nor status.clientCertificateData/clientKeyData`);
    if ((cert === undefined) !== (key === undefined)) throw new KubeConfigError(`${where}: the plugin returned only one of status.clientCertificateData and status.clientKeyData`);
    let expires: number | undefined;
    if (status.expirationTimestamp !== undefined && status.expirationTimestamp !== null) {
      expires = Date.parse(String(status.expirationTimestamp));
      if (Number.isNaN(expires)) throw new KubeConfigError(`${where}: the plugin's status.expirationTimestamp ${JSON.stringify(status.expirationTimestamp)} is not an RFC 3339 time`);
    }
    const creds: Credentials = { ...(token ? { token } : {}), ...(cert && key ? { cert, key } : {}) };
    cached = { creds, ...(expires !== undefined ? { expires } : {}) };
    return creds;
  };
  return {
    async credentials() {
      if (cached && (cached.expires === undefined || o.now() < cached.expires)) return cached.creds;
      // one run at a time: concurrent requests share it (exec.go holds a mutex around the plugin)
      running ??= run().finally(() => (running = undefined));
      return running;
    },
    unauthorized(used) {
      // rotated already by another request's 401: keep the new ones (exec.go maybeRefreshCreds)
      if (cached?.creds.token === used.token && cached?.creds.cert === used.cert) cached = undefined;
    },
  };
}
