// TLS for the webhook server: a self-signed CA and serving certificate for development and the
// `certs` command, loading of --tls-cert/--tls-key, and hot reload when cert-manager rotates them.
import { EventEmitter } from 'node:events';
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { generate } from 'selfsigned';

/** The API server speaks TLS 1.2+; anything older is refused. */
export const TLS_MIN_VERSION = 'TLSv1.2' as const;

/**
 * The cipher suites the server accepts: AEAD only (AES-GCM, ChaCha20-Poly1305) with ECDHE key
 * exchange, the TLS 1.2 part of Mozilla's "intermediate" configuration without its DHE suites; no
 * CBC suite (Lucky13-style padding oracles), no RSA key exchange (no forward secrecy). The API
 * server's webhook client is Go's crypto/tls, which offers all of these by default
 * (go/src/crypto/tls/cipher_suites.go, cipherSuitesPreferenceOrder). TLS 1.3 suites are AEAD by
 * definition and named here too: Node hands the TLS_* names to OpenSSL's TLS 1.3 list.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export const CA_CERT_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';
export const TLS_CERT_FILE = 'tls.crt';
export const TLS_KEY_FILE = 'tls.key';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A bad service, namespace or host given by the user (a usage error, not a failure of the tool). */
export class CertOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertOptionsError';
  }
}

export interface CertPaths {
  ca: string;
  /** kept so the serving certificate can be renewed under the same CA (caBundle stays valid) */
  caKey: string;
  cert: string;
  key: string;
}

export interface SelfSignedCerts {
  caPem: string;
  certPem: string;
  keyPem: string;
  paths: CertPaths;
  /** what this call generated: nothing (all reused), only the serving certificate, or CA and certificate */
  generated: 'none' | 'cert' | 'all';
}

export interface SelfSignedOptions {
  service: string;
  namespace: string;
  extraHosts?: string[];
  /** validity of a new serving certificate (default 365 days) */
  certValidityDays?: number;
  /** validity of a new CA (default 3650 days) */
  caValidityDays?: number;
  /** a certificate expiring within this many days is replaced (default 30) */
  renewBeforeDays?: number;
  /** for tests */
  now?: Date;
}

/** The names the API server (and local tools) may use to reach the service. */
export function serviceHosts(service: string, namespace: string, extraHosts: string[] = []): string[] {
  const hosts = ['localhost', '127.0.0.1', service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, ...extraHosts];
  return [...new Set(hosts.map((h) => h.trim()).filter((h) => h !== ''))];
}

/**
 * Returns a CA and a serving certificate for the service in certDir, reusing what is there when it
 * is valid, covers every host and is not near expiry; otherwise generates (and writes) new ones.
 */
export async function ensureSelfSignedCerts(certDir: string, opts: SelfSignedOptions): Promise<SelfSignedCerts> {
  const { service, namespace } = opts;
  const label = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
  if (!label.test(service) || !/^[a-z]/.test(service)) {
    throw new CertOptionsError(`invalid service name "${service}": must be a DNS-1035 label`);
  }
  if (!label.test(namespace)) {
    throw new CertOptionsError(`invalid namespace "${namespace}": must be a DNS-1123 label`);
  }
  const now = opts.now ?? new Date();
  const renewBefore = (opts.renewBeforeDays ?? 30) * DAY_MS;
  const hosts = serviceHosts(service, namespace, opts.extraHosts);
  const paths: CertPaths = {
    ca: join(certDir, CA_CERT_FILE),
    caKey: join(certDir, CA_KEY_FILE),
    cert: join(certDir, TLS_CERT_FILE),
    key: join(certDir, TLS_KEY_FILE),
  };

  const [caPem, caKeyPem, certPem, keyPem] = await Promise.all([paths.ca, paths.caKey, paths.cert, paths.key].map(readIfPresent));
  const ca = caPem === undefined ? undefined : tryParseCert(caPem);
  const usableCa = ca !== undefined && ca.ca && fresh(ca, now, renewBefore) ? ca : undefined;

  if (usableCa && caPem !== undefined && certPem !== undefined && keyPem !== undefined) {
    const leaf = tryParseCert(certPem);
    const key = tryParseKey(keyPem);
    if (
      leaf !== undefined &&
      key !== undefined &&
      leaf.checkPrivateKey(key) &&
      leaf.checkIssued(usableCa) &&
      leaf.verify(usableCa.publicKey) &&
      fresh(leaf, now, renewBefore) &&
      coversHosts(leaf, hosts)
    ) {
      return { caPem, certPem, keyPem, paths, generated: 'none' };
    }
  }

  await mkdir(certDir, { recursive: true, mode: 0o700 });
  let caMaterial: { cert: string; key: string };
  let generated: SelfSignedCerts['generated'];
  const caKey = caKeyPem === undefined ? undefined : tryParseKey(caKeyPem);
  if (usableCa && caPem !== undefined && caKeyPem !== undefined && caKey !== undefined && usableCa.checkPrivateKey(caKey)) {
    // Same CA: the caBundle already in the webhook configurations stays valid.
    caMaterial = { cert: caPem, key: caKeyPem };
    generated = 'cert';
  } else {
    caMaterial = await generateCa(service, namespace, now, opts.caValidityDays ?? 3650);
    await writeAtomic(paths.caKey, caMaterial.key, 0o600);
    await writeAtomic(paths.ca, caMaterial.cert, 0o644);
    generated = 'all';
  }
  const serving = await generateServingCert(caMaterial, hosts, service, namespace, now, opts.certValidityDays ?? 365);
  // Key before certificate: a reader that sees the new certificate also finds its key.
  await writeAtomic(paths.key, serving.key, 0o600);
  await writeAtomic(paths.cert, serving.cert, 0o644);
  return { caPem: caMaterial.cert, certPem: serving.cert, keyPem: serving.key, paths, generated };
}

/** A new CA (EC P-256), valid `days` from `now` (backdated for clock skew); also the certificate controller's. */
export async function generateCa(service: string, namespace: string, now: Date, days: number) {
  const pems = await generate([{ name: 'commonName', value: `${service}.${namespace} webhook CA` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: backdate(now),
    notAfterDate: new Date(now.getTime() + days * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A serving certificate for `hosts`, signed by `ca`; also the certificate controller's. */
export async function generateServingCert(ca: { cert: string; key: string }, hosts: string[], service: string, namespace: string, now: Date, days: number) {
  const pems = await generate([{ name: 'commonName', value: `${service}.${namespace}.svc` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: backdate(now),
    notAfterDate: new Date(now.getTime() + days * DAY_MS),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: hosts.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })),
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Tolerates clock skew between this pod and the API server. */
function backdate(now: Date): Date {
  return new Date(now.getTime() - 5 * 60 * 1000);
}

function fresh(cert: X509Certificate, now: Date, renewBefore: number): boolean {
  return new Date(cert.validFrom) <= now && new Date(cert.validTo).getTime() - renewBefore > now.getTime();
}

export function coversHosts(cert: X509Certificate, hosts: string[]): boolean {
  return hosts.every((h) => (isIP(h) ? cert.checkIP(h) !== undefined : cert.checkHost(h, { wildcards: false }) === h));
}

function tryParseCert(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function tryParseKey(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Write-then-rename, so a concurrent reader never sees half a file. */
async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = join(dirname(path), `.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`);
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode); // the umask may have narrowed or the file existed
  await rename(tmp, path);
}

// ---------------------------------------------------------------------------------------------
// Loading --tls-cert / --tls-key

export class TlsFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'TlsFileError';
  }
}

export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  /** SHA-256 fingerprint of the leaf certificate, colon-separated hex (as X509Certificate prints it) */
  fingerprint256: string;
  subject: string;
  validFrom: Date;
  validTo: Date;
}

/**
 * Reads and checks a PEM certificate (chain) and its private key. Errors name the file and what is
 * wrong with it: missing, unreadable, not PEM, or a key that does not belong to the certificate.
 */
export async function loadTlsFiles(certPath: string, keyPath: string): Promise<TlsMaterial> {
  const [certPem, keyPem] = await Promise.all([readTlsFile(certPath, 'certificate'), readTlsFile(keyPath, 'key')]);
  return parseTlsPair(certPem, keyPem, certPath, keyPath);
}

async function readTlsFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new TlsFileError(path, `cannot read TLS ${what} ${path}: ${why}`);
  }
}

export function parseTlsPair(certPem: string, keyPem: string, certPath = 'certificate', keyPath = 'key'): TlsMaterial {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new TlsFileError(certPath, `TLS certificate ${certPath} is not a PEM certificate: ${(err as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new TlsFileError(keyPath, `TLS key ${keyPath} is not a PEM private key: ${(err as Error).message}`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new TlsFileError(keyPath, `TLS key ${keyPath} does not match the certificate ${certPath}`);
  }
  return {
    certPem,
    keyPem,
    fingerprint256: cert.fingerprint256,
    subject: cert.subject,
    validFrom: new Date(cert.validFrom),
    validTo: new Date(cert.validTo),
  };
}

/** Options for https.createServer / setSecureContext. */
export function tlsServerOptions(material: Pick<TlsMaterial, 'certPem' | 'keyPem'>): SecureContextOptions {
  return { cert: material.certPem, key: material.keyPem, minVersion: TLS_MIN_VERSION, ciphers: TLS_CIPHERS, honorCipherOrder: true };
}

// ---------------------------------------------------------------------------------------------
// Reloading

/** What TlsReloader needs of a server: tls.Server and https.Server both have it. */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

export interface TlsReloaderOptions {
  certPath: string;
  keyPath: string;
  /** polling fallback for file systems where fs.watch misses changes (default 10 s) */
  pollIntervalMs?: number;
  /** wait after a change event, so both files of a non-atomic update are written (default 200 ms) */
  debounceMs?: number;
  onReload?: (material: TlsMaterial) => void;
  /** a changed pair that does not load: the old one stays in use */
  onReject?: (error: Error) => void;
}

export interface TlsReloaderEvents {
  reload: [TlsMaterial];
  reject: [Error];
}

/**
 * Watches --tls-cert/--tls-key and swaps the server's secure context when they change to a valid,
 * matching, unexpired pair. Kubernetes secret volumes update by swapping a `..data` symlink in the
 * directory, so the directories are watched (not the files) and the contents compared; a timer
 * polls as well, because fs.watch is unreliable on some volumes.
 */
export class TlsReloader extends EventEmitter<TlsReloaderEvents> {
  readonly certPath: string;
  readonly keyPath: string;
  private readonly pollIntervalMs: number;
  private readonly debounceMs: number;
  private material: TlsMaterial | undefined;
  private readonly targets = new Set<SecureContextTarget>();
  private watchers: FSWatcher[] = [];
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private lastRejected: string | undefined;
  private checking: Promise<boolean> | undefined;
  private recheck = false;

  constructor(opts: TlsReloaderOptions) {
    super();
    this.certPath = opts.certPath;
    this.keyPath = opts.keyPath;
    this.pollIntervalMs = opts.pollIntervalMs ?? 10_000;
    this.debounceMs = opts.debounceMs ?? 200;
    if (opts.onReload) this.on('reload', opts.onReload);
    if (opts.onReject) this.on('reject', opts.onReject);
  }

  /** Loads the pair (throws a TlsFileError when it is unusable) and starts watching. */
  async start(): Promise<TlsMaterial> {
    const material = await loadTlsFiles(this.certPath, this.keyPath);
    this.material = material;
    this.startWatching();
    return material;
  }

  /** The pair in use. */
  current(): TlsMaterial {
    if (!this.material) throw new Error('TlsReloader not started');
    return this.material;
  }

  /** Options for https.createServer with the pair in use. */
  serverOptions(): SecureContextOptions {
    return tlsServerOptions(this.current());
  }

  /** Registers a server whose secure context follows the files. */
  attach(server: SecureContextTarget): void {
    this.targets.add(server);
    if (this.material) server.setSecureContext(tlsServerOptions(this.material));
  }

  detach(server: SecureContextTarget): void {
    this.targets.delete(server);
  }

  /**
   * Reads the files now; swaps when they changed and are valid. Returns true when it swapped.
   * Concurrent calls share one read (and one more runs after it, so no change is missed).
   */
  async check(): Promise<boolean> {
    if (this.checking) {
      this.recheck = true;
      return this.checking;
    }
    this.checking = (async () => {
      let swapped = false;
      do {
        this.recheck = false;
        swapped = (await this.checkOnce()) || swapped;
      } while (this.recheck);
      return swapped;
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  stop(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.pollTimer = undefined;
    this.debounceTimer = undefined;
  }

  private async checkOnce(): Promise<boolean> {
    let certPem: string;
    let keyPem: string;
    try {
      [certPem, keyPem] = await Promise.all([readTlsFile(this.certPath, 'certificate'), readTlsFile(this.keyPath, 'key')]);
    } catch (err) {
      this.reject(`read:${(err as Error).message}`, err as Error);
      return false;
    }
    if (this.material && certPem === this.material.certPem && keyPem === this.material.keyPem) {
      this.lastRejected = undefined;
      return false;
    }
    const digest = createHash('sha256').update(certPem).update('\0').update(keyPem).digest('hex');
    let material: TlsMaterial;
    try {
      material = parseTlsPair(certPem, keyPem, this.certPath, this.keyPath);
      if (material.validTo.getTime() <= Date.now()) {
        throw new TlsFileError(this.certPath, `TLS certificate ${this.certPath} expired at ${material.validTo.toISOString()}`);
      }
    } catch (err) {
      this.reject(digest, err as Error);
      return false;
    }
    const options = tlsServerOptions(material);
    try {
      for (const t of this.targets) t.setSecureContext(options);
    } catch (err) {
      // OpenSSL may still refuse what parsed (e.g. a key too weak for its security level).
      if (this.material) {
        const old = tlsServerOptions(this.material);
        for (const t of this.targets) t.setSecureContext(old);
      }
      this.reject(digest, err as Error);
      return false;
    }
    this.material = material;
    this.lastRejected = undefined;
    this.emit('reload', material);
    return true;
  }

  /** Reports a bad pair once, not on every poll while it stays bad. */
  private reject(key: string, error: Error): void {
    if (this.lastRejected === key) return;
    this.lastRejected = key;
    this.emit('reject', error);
  }

  private startWatching(): void {
    this.stop();
    for (const dir of new Set([dirname(this.certPath), dirname(this.keyPath)])) {
      try {
        const w = watch(dir, { persistent: false }, () => this.schedule());
        // e.g. the directory vanished or inotify ran out: polling still covers it
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // fs.watch is unsupported here; the poll below is enough
      }
    }
    if (this.pollIntervalMs > 0) {
      this.pollTimer = setInterval(() => void this.check(), this.pollIntervalMs);
      this.pollTimer.unref();
    }
  }

  private schedule(): void {
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      void this.check();
    }, this.debounceMs);
    this.debounceTimer.unref();
  }
}
