// The certificate shell (issue 16, item 2): every replica serves tls.crt/tls.key of the webhook's
// Secret, read and watched through the API (no volume, no kubelet sync delay) and swapped into the
// TLS server without a restart; the leader also keeps the Secret and the two webhook configurations
// in step, one step of src/core/cert-rotation.ts at a time. The Secret layout is
// open-policy-agent/cert-controller's (pkg/rotator/rotator.go: ca.crt, ca.key, tls.crt, tls.key);
// ca.crt may hold several CAs during a rotation, as Kyverno's root CA Secret does (pkg/tls/renewer.go).
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { DAY_MS, planCertificates, type CaFacts, type CertStep, type RotationSettings, type SecretFacts, type WebhookConfigFacts } from '../core/cert-rotation.js';
import { coversHosts, generateCa, generateServingCert, parseTlsPair, type TlsMaterial } from '../server/tls.js';
import { apiMessage, httpStatus, KubeClient } from './kube.js';
import type { KubeConfig } from './kubeconfig.js';
import { ListWatch } from './list-watch.js';

/** The fields of a core/v1 Secret read and written here. */
export interface V1Secret {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
  type?: string;
}

/** The fields of an admissionregistration.k8s.io/v1 webhook configuration read and written here. */
interface WebhookConfiguration {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
  webhooks?: Array<{ name: string; clientConfig: { caBundle?: string; [k: string]: unknown }; failurePolicy?: string; [k: string]: unknown }>;
  [k: string]: unknown;
}

const WEBHOOKS = '/apis/admissionregistration.k8s.io/v1';

export const ANNOTATION_ROTATE = 'gpu-hpa.io/rotate';
export const ANNOTATION_ROTATED_FOR = 'gpu-hpa.io/rotated-for';
export const ANNOTATION_SERVING_ISSUED_AT = 'gpu-hpa.io/serving-cert-issued-at';
export const ANNOTATION_CA_BUNDLE_PUBLISHED_AT = 'gpu-hpa.io/ca-bundle-published-at';

const KEYS = { ca: 'ca.crt', caKey: 'ca.key', cert: 'tls.crt', key: 'tls.key' } as const;

// ---------------------------------------------------------------------------------------------
// Reading: Secret and webhook configurations → the facts the plan decides on

/** The PEM certificates of a bundle, each parsed (unparseable blocks are skipped). */
export function splitPemBundle(pem: string): Array<{ pem: string; cert: X509Certificate }> {
  const out: Array<{ pem: string; cert: X509Certificate }> = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)) {
    try {
      out.push({ pem: `${m[0]}\n`, cert: new X509Certificate(m[0]) });
    } catch {
      // not a certificate: left out (and so not trusted)
    }
  }
  return out;
}

const caFacts = (c: X509Certificate): CaFacts => ({ fingerprint: c.fingerprint256, notBefore: new Date(c.validFrom), notAfter: new Date(c.validTo) });

function decode(secret: V1Secret | undefined, key: string): string | undefined {
  const v = secret?.data?.[key];
  return v === undefined || v === '' ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

function tryKey(pem: string | undefined): KeyObject | undefined {
  if (pem === undefined) return undefined;
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

function date(v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export interface SecretContents {
  facts: SecretFacts;
  /** PEM of each CA of ca.crt by fingerprint */
  caPems: Map<string, string>;
  signerKeyPem?: string;
}

/** What the Secret holds, judged against the hosts the API server dials and the CAs of the caBundles. */
export function readSecret(secret: V1Secret | undefined, hosts: string[], bundleCas: X509Certificate[] = []): SecretContents {
  if (secret === undefined) return { facts: { exists: false, trusted: [] }, caPems: new Map() };
  const cas = splitPemBundle(decode(secret, KEYS.ca) ?? '');
  const caPems = new Map(cas.map((c) => [c.cert.fingerprint256, c.pem]));
  const caKeyPem = decode(secret, KEYS.caKey);
  const caKey = tryKey(caKeyPem);
  const signer = caKey === undefined ? undefined : [...cas].reverse().find((c) => c.cert.ca && c.cert.checkPrivateKey(caKey));
  const ann = secret.metadata?.annotations ?? {};
  const facts: SecretFacts = {
    exists: true,
    trusted: cas.map((c) => caFacts(c.cert)),
    signer: signer?.cert.fingerprint256,
    servingIssuedAt: date(ann[ANNOTATION_SERVING_ISSUED_AT]),
    rotateRequest: ann[ANNOTATION_ROTATE],
    rotatedFor: ann[ANNOTATION_ROTATED_FOR],
  };
  const leafPem = decode(secret, KEYS.cert);
  const leaf = leafPem === undefined ? undefined : splitPemBundle(leafPem)[0]?.cert;
  if (leaf !== undefined) {
    const key = tryKey(decode(secret, KEYS.key));
    const issuer = [...cas.map((c) => c.cert), ...bundleCas].find((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
    facts.serving = {
      notBefore: new Date(leaf.validFrom),
      notAfter: new Date(leaf.validTo),
      keyMatches: key !== undefined && leaf.checkPrivateKey(key),
      coversHosts: coversHosts(leaf, hosts),
      issuer: issuer?.fingerprint256,
    };
  }
  return { facts, caPems, ...(signer !== undefined && caKeyPem !== undefined ? { signerKeyPem: caKeyPem } : {}) };
}

/** A webhook configuration's caBundles as fingerprints, and the CAs in them. */
export function readWebhookConfiguration(kind: WebhookConfigFacts['kind'], name: string, obj: WebhookConfiguration | undefined): { facts: WebhookConfigFacts; cas: X509Certificate[] } {
  if (obj === undefined) return { facts: { kind, name, exists: false, webhooks: [] }, cas: [] };
  const cas: X509Certificate[] = [];
  const webhooks = (obj.webhooks ?? []).map((w) => {
    const bundle = splitPemBundle(w.clientConfig.caBundle === undefined ? '' : Buffer.from(w.clientConfig.caBundle, 'base64').toString('utf8'));
    cas.push(...bundle.map((b) => b.cert));
    return { name: w.name, caBundle: bundle.map((b) => b.cert.fingerprint256), failurePolicy: w.failurePolicy };
  });
  return { facts: { kind, name, exists: true, webhooks, publishedAt: date(obj.metadata?.annotations?.[ANNOTATION_CA_BUNDLE_PUBLISHED_AT]) }, cas };
}

// ---------------------------------------------------------------------------------------------
// Every replica: serve the Secret's pair

export interface ServingSecretWatch {
  /** resolves after the first list */
  started: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Watches the Secret (a field-selected list + watch of one name: RBAC resourceNames can limit it) and
 * hands every new, valid, unexpired tls.crt/tls.key pair to `serve`; a bad pair is reported and the
 * one in use stays. `changed` is told of every event (the leader re-plans on it).
 */
export function watchServingSecret(
  kc: KubeConfig,
  ref: { namespace: string; name: string },
  handlers: { serve: (m: TlsMaterial) => void; reject: (why: string) => void; changed?: (s: V1Secret | undefined) => void },
  logger?: Logger,
): ServingSecretWatch {
  const lw = new ListWatch<V1Secret>({
    kc,
    what: `secret ${ref.namespace}/${ref.name}`,
    path: `/api/v1/namespaces/${ref.namespace}/secrets`,
    fieldSelector: `metadata.name=${ref.name}`,
    trim: (s) => s,
    logger,
  });
  let last: string | undefined;
  const onChange = (s: V1Secret) => {
    handlers.changed?.(s);
    const cert = decode(s, KEYS.cert);
    const key = decode(s, KEYS.key);
    if (cert === undefined || key === undefined) return; // not issued yet
    if (`${cert}\0${key}` === last) return;
    try {
      const m = parseTlsPair(cert, key, `Secret ${ref.namespace}/${ref.name} ${KEYS.cert}`, `Secret ${ref.namespace}/${ref.name} ${KEYS.key}`);
      if (m.validTo.getTime() <= Date.now()) throw new Error(`Secret ${ref.namespace}/${ref.name} ${KEYS.cert} expired at ${m.validTo.toISOString()}`);
      last = `${cert}\0${key}`;
      handlers.serve(m);
    } catch (e) {
      handlers.reject((e as Error).message);
    }
  };
  lw.on('add', onChange);
  lw.on('update', onChange);
  lw.on('delete', () => {
    handlers.changed?.(undefined);
    logger?.error({ secret: `${ref.namespace}/${ref.name}` }, 'certificate Secret deleted; the certificate in use stays');
  });
  const started = lw.start();
  return {
    started,
    stop() {
      lw.stop();
      return Promise.resolve();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The leader: one plan step at a time

export interface CertificateControllerOptions {
  kc: KubeConfig;
  logger: Logger;
  secret: { namespace: string; name: string };
  mutatingWebhookConfiguration: string;
  validatingWebhookConfiguration: string;
  service: string;
  hosts: string[];
  settings: RotationSettings;
  /** how often the leader re-reads everything when nothing woke it (drift: a re-applied manifest) */
  resyncMs?: number;
  /** where gpu_hpa_webhook_certificate_steps_total and _certificates_blocked go (serve's /metrics) */
  registry?: Registry;
}

export class CertificateController {
  private readonly api: KubeClient;
  private epoch = 0;
  private wake?: () => void;
  private pendingWake = false;
  /** the last step planned by this replica while it led */
  last?: CertStep;
  private leading = false;
  private readonly steps?: Counter<'step'>;

  constructor(private readonly o: CertificateControllerOptions) {
    this.api = new KubeClient(o.kc);
    if (o.registry) {
      const registers = [o.registry];
      this.steps = new Counter({
        name: 'gpu_hpa_webhook_certificate_steps_total',
        help: 'Certificate steps this replica performed as leader (create-ca, publish-bundle, issue-serving, prune-cas, set-failure-policy)',
        labelNames: ['step'] as const,
        registers,
      });
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const self = this;
      new Gauge({
        name: 'gpu_hpa_webhook_certificates_blocked',
        help: "1 while this replica leads and the certificates need an operator (the log line 'certificate controller blocked' says why)",
        registers,
        collect() {
          this.set(self.leading && self.last?.kind === 'blocked' ? 1 : 0);
        },
      });
    }
  }

  startLeading(): void {
    this.leading = true;
    const epoch = ++this.epoch;
    void this.loop(epoch);
  }

  stopLeading(): void {
    this.leading = false;
    this.epoch++;
    this.kick();
  }

  /** Something changed (the Secret): plan again now. */
  kick(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  private async loop(epoch: number): Promise<void> {
    const { logger } = this.o;
    let backoff = 1000;
    let lastLogged = '';
    while (epoch === this.epoch) {
      this.pendingWake = false;
      let step: CertStep;
      try {
        step = await this.reconcileOnce(epoch);
        backoff = 1000;
      } catch (e) {
        const status = httpStatus(e);
        // 409: someone wrote in between (another replica's last step, kubectl): read again at once
        if (status !== 409) logger.warn({ err: apiMessage(e), status }, 'certificate controller: step failed; retrying');
        await this.sleep(status === 409 ? 0 : backoff);
        backoff = Math.min(backoff * 2, 30_000);
        continue;
      }
      this.last = step;
      if (!['wait', 'idle', 'blocked'].includes(step.kind)) this.steps?.inc({ step: step.kind });
      const line = `${step.kind}:${'reason' in step ? step.reason : ''}`;
      if (step.kind === 'blocked' && line !== lastLogged) logger.error({ reason: step.reason }, 'certificate controller blocked');
      else if ((step.kind === 'wait' || step.kind === 'idle') && line !== lastLogged) {
        logger.info({ step: step.kind, reason: 'reason' in step ? step.reason : undefined, until: step.kind === 'wait' ? step.until : step.recheckAt }, 'certificate controller waiting');
      }
      lastLogged = line;
      if (step.kind === 'wait' || step.kind === 'idle' || step.kind === 'blocked') {
        const resync = this.o.resyncMs ?? 30_000;
        const until = step.kind === 'wait' ? step.until.getTime() : step.kind === 'idle' && step.recheckAt ? step.recheckAt.getTime() : Infinity;
        await this.sleep(Math.max(0, Math.min(until - Date.now(), resync)));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingWake) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  /** Reads, plans and performs one step; returns it. */
  async reconcileOnce(epoch = this.epoch): Promise<CertStep> {
    const { secret: ref, settings } = this.o;
    const [secret, mwc, vwc] = await Promise.all([
      this.api.get<V1Secret>(this.secretPath()).catch(orUndefined),
      this.api.get<WebhookConfiguration>(`${WEBHOOKS}/mutatingwebhookconfigurations/${this.o.mutatingWebhookConfiguration}`).catch(orUndefined),
      this.api.get<WebhookConfiguration>(`${WEBHOOKS}/validatingwebhookconfigurations/${this.o.validatingWebhookConfiguration}`).catch(orUndefined),
    ]);
    const m = readWebhookConfiguration('MutatingWebhookConfiguration', this.o.mutatingWebhookConfiguration, mwc);
    const v = readWebhookConfiguration('ValidatingWebhookConfiguration', this.o.validatingWebhookConfiguration, vwc);
    const contents = readSecret(secret, this.o.hosts, [...m.cas, ...v.cas]);
    const now = new Date();
    const step = planCertificates(contents.facts, [m.facts, v.facts], settings, now);
    if (epoch !== this.epoch) return { kind: 'blocked', reason: 'no longer the leader' };
    const log = this.o.logger.child({ secret: `${ref.namespace}/${ref.name}` });
    switch (step.kind) {
      case 'create-ca': {
        const ca = await generateCa(this.o.service, ref.namespace, now, settings.caValidityMs / DAY_MS);
        const kept = step.keep.map((f) => contents.caPems.get(f)).filter((p): p is string => p !== undefined);
        const ann = { ...(secret!.metadata?.annotations ?? {}) };
        if (contents.facts.rotateRequest !== undefined) ann[ANNOTATION_ROTATED_FOR] = contents.facts.rotateRequest;
        await this.writeSecret(secret!, { [KEYS.ca]: [...kept, ca.cert].join(''), [KEYS.caKey]: ca.key }, ann);
        log.info({ fingerprint: new X509Certificate(ca.cert).fingerprint256, kept: step.keep.length, reason: step.reason }, 'new CA created');
        break;
      }
      case 'issue-serving': {
        const signer = contents.caPems.get(contents.facts.signer!);
        if (signer === undefined || contents.signerKeyPem === undefined) throw new Error('no signing CA in the Secret');
        const cert = await generateServingCert({ cert: signer, key: contents.signerKeyPem }, this.o.hosts, this.o.service, ref.namespace, now, settings.certValidityMs / DAY_MS);
        await this.writeSecret(secret!, { [KEYS.cert]: cert.cert, [KEYS.key]: cert.key }, { ...(secret!.metadata?.annotations ?? {}), [ANNOTATION_SERVING_ISSUED_AT]: now.toISOString() });
        log.info({ fingerprint: new X509Certificate(cert.cert).fingerprint256, reason: step.reason }, 'serving certificate issued');
        break;
      }
      case 'prune-cas': {
        const kept = step.keep.map((f) => contents.caPems.get(f)).filter((p): p is string => p !== undefined);
        await this.writeSecret(secret!, { [KEYS.ca]: kept.join('') }, secret!.metadata?.annotations ?? {});
        log.info({ kept: step.keep.length, reason: step.reason }, 'old CAs removed from ca.crt');
        break;
      }
      case 'publish-bundle': {
        const bundle = Buffer.from(step.cas.map((f) => contents.caPems.get(f) ?? '').join('')).toString('base64');
        const stamp = now.toISOString();
        for (const [obj, replace] of [
          [mwc!, (b: WebhookConfiguration) => this.api.replace(`${WEBHOOKS}/mutatingwebhookconfigurations/${b.metadata!.name!}`, b)],
          [vwc!, (b: WebhookConfiguration) => this.api.replace(`${WEBHOOKS}/validatingwebhookconfigurations/${b.metadata!.name!}`, b)],
        ] as const) {
          obj.metadata = { ...obj.metadata, annotations: { ...(obj.metadata?.annotations ?? {}), [ANNOTATION_CA_BUNDLE_PUBLISHED_AT]: stamp } };
          for (const w of obj.webhooks ?? []) w.clientConfig.caBundle = bundle;
          await replace(obj);
        }
        log.info({ cas: step.cas.length, reason: step.reason }, 'caBundle published');
        break;
      }
      case 'set-failure-policy': {
        const hook = vwc!.webhooks?.find((w) => w.name === settings.failClosedWebhook);
        hook!.failurePolicy = step.policy;
        await this.api.replace(`${WEBHOOKS}/validatingwebhookconfigurations/${vwc!.metadata!.name!}`, vwc!);
        log.info({ webhook: settings.failClosedWebhook, failurePolicy: step.policy, reason: step.reason }, 'failurePolicy set');
        break;
      }
      default:
        break;
    }
    return step;
  }

  /** Update (resourceVersion kept: a concurrent writer gets 409 and we read again). */
  private async writeSecret(secret: V1Secret, data: Record<string, string>, annotations: Record<string, string>): Promise<void> {
    const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    const body: V1Secret = { ...secret, metadata: { ...secret.metadata, annotations }, data: { ...(secret.data ?? {}), ...encoded } };
    await this.api.replace(this.secretPath(), body);
  }

  private secretPath(): string {
    return `/api/v1/namespaces/${this.o.secret.namespace}/secrets/${this.o.secret.name}`;
  }
}

function orUndefined(e: unknown): undefined {
  if (httpStatus(e) === 404) return undefined;
  throw e;
}
