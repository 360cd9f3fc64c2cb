// What the certificate controller does next (issue 16, item 2), decided from what it read and the
// time it was given: pure, no clock, no I/O. The shell (src/controller/cert-controller.ts) reads the
// Secret and the two webhook configurations, turns them into the facts below, performs the one step
// this returns and asks again, so every decision is level-triggered and restartable by a new leader.
//
// The anchors, and where this differs from them:
// - open-policy-agent/cert-controller (KEDA and Gatekeeper use it; pkg/rotator/rotator.go,
//   refreshCertIfNeeded/refreshCerts): one Secret with ca.crt, ca.key, tls.crt, tls.key; a CA near
//   expiry (lookaheadInterval) is replaced together with the serving certificate, and injectCert
//   overwrites caBundle with the new CA alone. Between the Secret update and the API server seeing the
//   new caBundle, either side can be ahead: calls fail. We keep its Secret layout but not that step.
// - Kyverno (pkg/tls/renewer.go, RenewCA/RenewTLS): the CA Secret keeps every unexpired CA
//   (removeExpiredCertificates), a new one is appended before the newest expires, caBundle carries
//   them all, and the serving certificate is issued by the newest. That overlap is what this does,
//   with two waits Kyverno leaves to its long renewal interval, made explicit here: the serving
//   certificate moves to a new CA only after caBundle with that CA has been published for
//   `propagationMs`, and an old CA leaves caBundle only `propagationMs` after the serving certificate
//   moved off it (every replica has reloaded by then).

export type CertMode = 'self-managed' | 'cert-manager' | 'secret';

export type FailurePolicy = 'Fail' | 'Ignore';

/** The webhook that fails closed (HPA validation, manifests/webhook-validating.yaml): shipped Ignore, closed once trusted. */
export const FAIL_CLOSED_WEBHOOK = 'horizontalpodautoscalers.validate.gpu-hpa.io';

/** A CA certificate: of the Secret's ca.crt, or of a webhook's caBundle. */
export interface CaFacts {
  /** SHA-256 fingerprint: what identifies a CA across the Secret and the caBundles */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

export interface ServingFacts {
  notBefore: Date;
  notAfter: Date;
  /** tls.key is the certificate's key */
  keyMatches: boolean;
  /** names every host the API server may dial (service.namespace.svc, …) */
  coversHosts: boolean;
  /** fingerprint of the CA (of ca.crt or a caBundle) whose signature verifies it */
  issuer?: string;
}

export interface SecretFacts {
  exists: boolean;
  /** ca.crt: the CAs the webhook configurations must trust, oldest first */
  trusted: CaFacts[];
  /** fingerprint of the CA in `trusted` whose key is ca.key (self-managed only) */
  signer?: string;
  serving?: ServingFacts;
  /** annotation gpu-hpa.io/serving-cert-issued-at: when the controller wrote tls.crt */
  servingIssuedAt?: Date;
  /** annotation gpu-hpa.io/rotate: a user's request for a new CA (any new value) */
  rotateRequest?: string;
  /** annotation gpu-hpa.io/rotated-for: the last request a new CA answered */
  rotatedFor?: string;
}

export interface WebhookFacts {
  /** e.g. horizontalpodautoscalers.validate.gpu-hpa.io */
  name: string;
  /** fingerprints of the CAs in its caBundle, in order */
  caBundle: string[];
  failurePolicy?: string;
}

export interface WebhookConfigFacts {
  kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';
  name: string;
  exists: boolean;
  webhooks: WebhookFacts[];
  /** annotation gpu-hpa.io/ca-bundle-published-at, written with caBundle */
  publishedAt?: Date;
}

export interface RotationSettings {
  mode: CertMode;
  caValidityMs: number;
  certValidityMs: number;
  /** a new CA is made this long before the signing CA expires */
  caRenewBeforeMs: number;
  /** a new serving certificate is issued this long before the current one expires */
  certRenewBeforeMs: number;
  /** how long a written caBundle or Secret takes to reach every API server and replica */
  propagationMs: number;
  /** the webhook that fails closed (HPA validation) and the policy it should end with */
  failClosedWebhook: string;
  failurePolicy: FailurePolicy;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_ROTATION: Omit<RotationSettings, 'mode' | 'failClosedWebhook' | 'failurePolicy'> = {
  // cert-controller's CA lasts 10 years, Kyverno's 1; a year keeps a leaked CA key short-lived
  caValidityMs: 365 * DAY_MS,
  // Kyverno: 150 days; cert-manager's default duration is 90 days with a third left to renew
  certValidityMs: 90 * DAY_MS,
  caRenewBeforeMs: 60 * DAY_MS,
  certRenewBeforeMs: 30 * DAY_MS,
  // the API server's webhook configuration informer and a Secret watch take well under a second;
  // a minute covers an API server restarting its watch and a replica re-listing after a drop
  propagationMs: 60_000,
};

export type CertStep =
  /** make a new CA, sign with it from now on; keep these older CAs trusted (fingerprints) */
  | { kind: 'create-ca'; keep: string[]; reason: string }
  /** issue a serving certificate with the signing CA */
  | { kind: 'issue-serving'; reason: string }
  /** write caBundle (these CAs, in this order) into every webhook of both configurations */
  | { kind: 'publish-bundle'; cas: string[]; reason: string }
  /** rewrite ca.crt with only these CAs */
  | { kind: 'prune-cas'; keep: string[]; reason: string }
  /** set the fail-closed webhook's failurePolicy */
  | { kind: 'set-failure-policy'; policy: FailurePolicy; reason: string }
  /** nothing to do before `until` (then ask again) */
  | { kind: 'wait'; until: Date; reason: string }
  /** nothing this controller may do; an operator must (the reason says what) */
  | { kind: 'blocked'; reason: string }
  /** all is well; ask again at `recheckAt` (a certificate reaches its renewal time) */
  | { kind: 'idle'; recheckAt?: Date };

const at = (d: Date, ms: number) => new Date(d.getTime() + ms);
const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const short = (fp: string) => fp.slice(0, 11);

function servingProblem(s: ServingFacts | undefined, trusted: Set<string>, now: Date): string | undefined {
  if (s === undefined) return 'no serving certificate yet';
  if (!s.keyMatches) return 'tls.key does not match tls.crt';
  if (!s.coversHosts) return 'tls.crt does not name every host of the Service';
  if (s.issuer === undefined || !trusted.has(s.issuer)) return 'tls.crt is not signed by a CA of ca.crt';
  if (s.notBefore > now) return `tls.crt is not valid before ${s.notBefore.toISOString()}`;
  if (s.notAfter <= now) return `tls.crt expired at ${s.notAfter.toISOString()}`;
  return undefined;
}

/** Every webhook of both configurations trusts exactly `cas`, and since when (the latest publication). */
function published(configs: WebhookConfigFacts[], cas: string[]): { ok: boolean; since?: Date } {
  let since: Date | undefined;
  for (const c of configs) {
    if (!c.exists || c.webhooks.some((w) => !sameList(w.caBundle, cas))) return { ok: false };
    // no annotation: the bundle was not written by us (an operator, an old install): long enough ago
    if (c.publishedAt !== undefined && (since === undefined || c.publishedAt > since)) since = c.publishedAt;
  }
  return { ok: true, since };
}

/** Every webhook of both configurations trusts `ca` (among others). */
function allTrust(configs: WebhookConfigFacts[], ca: string): boolean {
  return configs.every((c) => c.exists && c.webhooks.every((w) => w.caBundle.includes(ca)));
}

function earliest(...dates: Array<Date | undefined>): Date | undefined {
  const ds = dates.filter((d): d is Date => d !== undefined);
  return ds.length === 0 ? undefined : new Date(Math.min(...ds.map((d) => d.getTime())));
}

/**
 * The next step for the certificates, at `now`. Self-managed mode walks: CA → caBundle → serving
 * certificate → prune old CAs → failure policy. The other modes only read the Secret: "secret" still
 * publishes its ca.crt into caBundle (when it has one), cert-manager's CA injector does that itself;
 * in every mode the fail-closed webhook gets its failurePolicy only once caBundle trusts the served
 * certificate (the manifests ship it as Ignore: see manifests/webhook-validating.yaml).
 */
export function planCertificates(secret: SecretFacts, configs: WebhookConfigFacts[], s: RotationSettings, now: Date): CertStep {
  const missing = configs.filter((c) => !c.exists);
  if (missing.length > 0) {
    return { kind: 'blocked', reason: `${missing.map((c) => `${c.kind} ${c.name}`).join(' and ')} not found: install the webhook configurations (or fix --webhook-configuration)` };
  }
  if (!secret.exists) {
    const how =
      s.mode === 'self-managed'
        ? 'it ships (empty) with the install; re-apply the manifests or the chart'
        : s.mode === 'cert-manager'
          ? 'cert-manager writes it from the Certificate: check `kubectl describe certificate`'
          : 'create it (kubectl create secret tls … --cert --key, with ca.crt)';
    return { kind: 'blocked', reason: `the certificate Secret does not exist: ${how}` };
  }
  const trustedIds = secret.trusted.map((c) => c.fingerprint);
  const trusted = new Set(trustedIds);

  if (s.mode === 'self-managed') {
    // 1. A CA that signs: missing, expiring, not yet valid, or a rotation asked for.
    const signer = secret.trusted.find((c) => c.fingerprint === secret.signer);
    const rotate = secret.rotateRequest !== undefined && secret.rotateRequest !== '' && secret.rotateRequest !== secret.rotatedFor;
    const why =
      signer === undefined
        ? secret.trusted.length === 0
          ? 'no CA yet'
          : 'ca.key belongs to no CA of ca.crt'
        : signer.notBefore > now
          ? `the CA is not valid before ${signer.notBefore.toISOString()}`
          : at(signer.notAfter, -s.caRenewBeforeMs) <= now
            ? `the CA expires at ${signer.notAfter.toISOString()}`
            : rotate
              ? `rotation requested (gpu-hpa.io/rotate=${secret.rotateRequest})`
              : undefined;
    if (why !== undefined) {
      // the old CAs stay trusted until they expire or the serving certificate has moved off them
      return { kind: 'create-ca', keep: secret.trusted.filter((c) => c.notAfter > now).map((c) => c.fingerprint), reason: why };
    }
    const signerId = signer!.fingerprint;

    // 2. caBundle = ca.crt, in both configurations.
    const pub = published(configs, trustedIds);
    if (!pub.ok) return { kind: 'publish-bundle', cas: trustedIds, reason: `caBundle differs from ca.crt (${trustedIds.map(short).join(', ')})` };
    const bundleSettled = pub.since === undefined ? now : at(pub.since, s.propagationMs);

    // 3. The serving certificate, issued by the signing CA, not near expiry.
    const serving = secret.serving;
    const problem = servingProblem(serving, trusted, now);
    const reissue =
      problem ??
      (serving!.issuer !== signerId
        ? `tls.crt is signed by an older CA (${short(serving!.issuer!)}), not the signing CA (${short(signerId)})`
        : at(serving!.notAfter, -s.certRenewBeforeMs) <= now
          ? `tls.crt expires at ${serving!.notAfter.toISOString()}`
          : undefined);
    if (reissue !== undefined) {
      // A working certificate is kept until the API servers trust the signing CA; a broken one is
      // replaced at once (nothing can be worse than what is served).
      if (problem === undefined && bundleSettled > now) return { kind: 'wait', until: bundleSettled, reason: `${reissue}; waiting for caBundle to reach the API servers` };
      return { kind: 'issue-serving', reason: reissue };
    }
    const servingSettled = secret.servingIssuedAt === undefined ? now : at(secret.servingIssuedAt, s.propagationMs);

    // 4. Old CAs leave ca.crt (and then caBundle) once expired, or once every replica serves the new certificate.
    const keep = secret.trusted.filter((c) => c.fingerprint === signerId || (c.notAfter > now && servingSettled > now));
    if (keep.length < secret.trusted.length) {
      return {
        kind: 'prune-cas',
        keep: keep.map((c) => c.fingerprint),
        reason: `CAs no longer needed: ${trustedIds
          .filter((f) => !keep.some((k) => k.fingerprint === f))
          .map(short)
          .join(', ')}`,
      };
    }

    // 5. The fail-closed webhook closes only once the served certificate is trusted everywhere.
    const settled = bundleSettled > servingSettled ? bundleSettled : servingSettled;
    const policy = failurePolicyStep(configs, s, settled, now);
    if (policy !== undefined) return policy;
    const olds = secret.trusted.filter((c) => c.fingerprint !== signerId);
    if (olds.length > 0) return { kind: 'wait', until: servingSettled, reason: `the old CA stays trusted until every replica serves the new certificate` };
    return { kind: 'idle', recheckAt: earliest(at(signer!.notAfter, -s.caRenewBeforeMs), at(serving!.notAfter, -s.certRenewBeforeMs)) };
  }

  // cert-manager / secret: the Secret is someone else's.
  const serving = secret.serving;
  const allCas = new Set([...trustedIds, ...configs.flatMap((c) => c.webhooks.flatMap((w) => w.caBundle))]);
  const problem = servingProblem(serving, allCas, now);
  if (problem !== undefined) {
    const owner = s.mode === 'cert-manager' ? 'cert-manager renews it from the Certificate' : 'replace the Secret with a valid pair';
    return { kind: 'blocked', reason: `the Secret's serving certificate is unusable: ${problem} (${owner})` };
  }
  let settled = now;
  if (s.mode === 'secret' && trustedIds.length > 0) {
    const pub = published(configs, trustedIds);
    if (!pub.ok) return { kind: 'publish-bundle', cas: trustedIds, reason: "caBundle differs from the Secret's ca.crt" };
    if (pub.since !== undefined) settled = at(pub.since, s.propagationMs);
  }
  if (!allTrust(configs, serving!.issuer!)) {
    if (s.failurePolicy === 'Ignore') return failurePolicyStep(configs, s, now, now) ?? { kind: 'idle' };
    const who = s.mode === 'cert-manager' ? "cert-manager's CA injector (cert-manager.io/inject-ca-from)" : "the Secret's ca.crt, or set caBundle yourself";
    return { kind: 'blocked', reason: `caBundle does not trust the serving certificate's CA (${short(serving!.issuer!)}) yet: ${who}` };
  }
  return failurePolicyStep(configs, s, settled, now) ?? { kind: 'idle', recheckAt: serving!.notAfter };
}

/** Ignore is always safe to set; Fail only once `settledAt` has passed. */
function failurePolicyStep(configs: WebhookConfigFacts[], s: RotationSettings, settledAt: Date, now: Date): CertStep | undefined {
  const hook = configs.flatMap((c) => (c.kind === 'ValidatingWebhookConfiguration' ? c.webhooks : [])).find((w) => w.name === s.failClosedWebhook);
  if (hook === undefined) return { kind: 'blocked', reason: `webhook ${s.failClosedWebhook} not found in the ValidatingWebhookConfiguration` };
  if (hook.failurePolicy === s.failurePolicy) return undefined;
  if (s.failurePolicy === 'Fail' && settledAt > now)
    return { kind: 'wait', until: settledAt, reason: `${s.failClosedWebhook} stays failurePolicy ${hook.failurePolicy ?? 'unset'} until caBundle and the serving certificate have propagated` };
  return { kind: 'set-failure-policy', policy: s.failurePolicy, reason: `${s.failClosedWebhook}: caBundle trusts the served certificate` };
}
