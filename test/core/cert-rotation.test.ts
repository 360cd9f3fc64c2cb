// planCertificates (src/core/cert-rotation.ts): the steps from nothing to a fail-closed webhook, a
// rotation with both CAs trusted, and a simulated cluster in which every write reaches the API
// server and the replicas after any delay up to propagationMs — at no instant may the API server
// call a fail-closed webhook whose served certificate its caBundle does not trust.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DAY_MS, planCertificates, type CaFacts, type CertStep, type RotationSettings, type SecretFacts, type ServingFacts, type WebhookConfigFacts } from '../../src/core/cert-rotation.js';

const HPA = 'horizontalpodautoscalers.validate.gpu-hpa.io';
const T0 = new Date('2026-01-01T00:00:00Z');
const settings = (over: Partial<RotationSettings> = {}): RotationSettings => ({
  mode: 'self-managed',
  caValidityMs: 365 * DAY_MS,
  certValidityMs: 90 * DAY_MS,
  caRenewBeforeMs: 60 * DAY_MS,
  certRenewBeforeMs: 30 * DAY_MS,
  propagationMs: 60_000,
  failClosedWebhook: HPA,
  failurePolicy: 'Fail',
  ...over,
});
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);

/** A world the steps act on: the Secret, the two configurations, and every version ever written (for the lag). */
class World {
  secret: SecretFacts = { exists: true, trusted: [] };
  configs: WebhookConfigFacts[] = [
    {
      kind: 'MutatingWebhookConfiguration',
      name: 'gpu-hpa-webhook',
      exists: true,
      webhooks: [
        { name: 'deployments.mutate.gpu-hpa.io', caBundle: [], failurePolicy: 'Ignore' },
        { name: 'horizontalpodautoscalers.mutate.gpu-hpa.io', caBundle: [], failurePolicy: 'Ignore' },
      ],
    },
    {
      kind: 'ValidatingWebhookConfiguration',
      name: 'gpu-hpa-webhook',
      exists: true,
      webhooks: [
        { name: 'deployments.validate.gpu-hpa.io', caBundle: [], failurePolicy: 'Ignore' },
        { name: HPA, caBundle: [], failurePolicy: 'Ignore' },
      ],
    },
  ];
  private n = 0;
  /** (time, validating configuration) and (time, serving certificate) as written */
  vwcHistory: Array<{ at: Date; bundle: string[]; policy: string }> = [{ at: new Date(0), bundle: [], policy: 'Ignore' }];
  servingHistory: Array<{ at: Date; serving?: ServingFacts }> = [{ at: new Date(0) }];
  steps: CertStep[] = [];
  /** a test that starts from an unsafe state on purpose */
  unchecked = false;

  constructor(readonly s: RotationSettings) {}

  private ca(now: Date): CaFacts {
    return { fingerprint: `ca-${++this.n}`, notBefore: plus(now, -300_000), notAfter: plus(now, this.s.caValidityMs) };
  }

  apply(step: CertStep, now: Date): void {
    this.steps.push(step);
    const sec = this.secret;
    switch (step.kind) {
      case 'create-ca': {
        const ca = this.ca(now);
        sec.trusted = [...sec.trusted.filter((c) => step.keep.includes(c.fingerprint)), ca];
        sec.signer = ca.fingerprint;
        sec.rotatedFor = sec.rotateRequest;
        break;
      }
      case 'issue-serving':
        sec.serving = { notBefore: plus(now, -300_000), notAfter: plus(now, this.s.certValidityMs), keyMatches: true, coversHosts: true, issuer: sec.signer };
        sec.servingIssuedAt = now;
        this.servingHistory.push({ at: now, serving: sec.serving });
        break;
      case 'prune-cas':
        sec.trusted = sec.trusted.filter((c) => step.keep.includes(c.fingerprint));
        break;
      case 'publish-bundle':
        for (const c of this.configs) {
          c.publishedAt = now;
          for (const w of c.webhooks) w.caBundle = [...step.cas];
        }
        this.recordVwc(now);
        break;
      case 'set-failure-policy':
        this.configs[1]!.webhooks[1]!.failurePolicy = step.policy;
        this.recordVwc(now);
        break;
      default:
        break;
    }
  }

  private recordVwc(now: Date): void {
    const hook = this.configs[1]!.webhooks[1]!;
    this.vwcHistory.push({ at: now, bundle: [...hook.caBundle], policy: hook.failurePolicy! });
  }

  /** What the API server or a replica may hold at `t`: the version in force propagationMs ago, and every one written since. */
  private possible<T extends { at: Date }>(history: T[], t: Date): T[] {
    const from = plus(t, -this.s.propagationMs);
    const before = history.filter((h) => h.at <= from);
    return [...before.slice(-1), ...history.filter((h) => h.at > from && h.at <= t)];
  }

  /** No failed admission: whenever the API server may call the HPA webhook fail-closed, every certificate a replica may serve is trusted. */
  checkSafe(t: Date): void {
    if (this.unchecked) return;
    for (const v of this.possible(this.vwcHistory, t)) {
      if (v.policy !== 'Fail') continue;
      for (const s of this.possible(this.servingHistory, t)) {
        assert.ok(
          s.serving && s.serving.issuer !== undefined && v.bundle.includes(s.serving.issuer),
          `at ${t.toISOString()}: failurePolicy Fail with caBundle [${v.bundle.join(', ')}] while a replica may serve a certificate of ${s.serving?.issuer ?? 'none'}`,
        );
        assert.ok(s.serving.notAfter > t && s.serving.notBefore <= t, `at ${t.toISOString()}: a replica may serve an expired certificate`);
      }
    }
  }

  /** Runs steps until idle or `until`, checking safety at every step and just before each wait ends. */
  run(now: Date, until: Date, maxSteps = 200): Date {
    for (let i = 0; i < maxSteps; i++) {
      this.checkSafe(now);
      const step = planCertificates(this.secret, this.configs, this.s, now);
      if (step.kind === 'blocked') assert.fail(`blocked: ${step.reason}`);
      if (step.kind === 'idle' || step.kind === 'wait') {
        const next = step.kind === 'wait' ? step.until : step.recheckAt;
        if (next === undefined || next > until) return now;
        assert.ok(next > now, `${step.kind} until ${next.toISOString()} is not after ${now.toISOString()}`);
        this.checkSafe(plus(next, -1));
        this.steps.push(step);
        now = next;
        continue;
      }
      this.apply(step, now);
    }
    assert.fail(
      `no idle after ${maxSteps} steps: ${this.steps
        .slice(-5)
        .map((s) => s.kind)
        .join(', ')}`,
    );
  }

  kinds(): string[] {
    return this.steps.map((s) => s.kind);
  }
}

describe('planCertificates: self-managed', () => {
  test('from nothing: CA, caBundle, serving certificate at once, then failurePolicy Fail only after propagation', () => {
    const w = new World(settings());
    const end = w.run(T0, plus(T0, 10 * 60_000));
    assert.deepEqual(w.kinds(), ['create-ca', 'publish-bundle', 'issue-serving', 'wait', 'set-failure-policy']);
    // the wait ends when caBundle and the certificate have had propagationMs
    assert.deepEqual((w.steps[3] as { until: Date }).until, plus(T0, 60_000));
    assert.equal(w.configs[1]!.webhooks[1]!.failurePolicy, 'Fail');
    assert.deepEqual(
      w.configs.flatMap((c) => c.webhooks.map((h) => h.caBundle)),
      Array(4).fill(['ca-1']),
    );
    assert.deepEqual(end, plus(T0, 60_000));
  });

  test('a rotation request: the new CA joins caBundle, the certificate moves to it after propagation, the old CA leaves after another', () => {
    const w = new World(settings());
    let now = w.run(T0, plus(T0, 10 * 60_000));
    w.steps = [];
    now = plus(now, 3_600_000);
    w.secret.rotateRequest = 'r1';
    const rotationStart = now;
    now = w.run(now, plus(now, 10 * 60_000));
    assert.deepEqual(w.kinds(), ['create-ca', 'publish-bundle', 'wait', 'issue-serving', 'wait', 'prune-cas', 'publish-bundle']);
    assert.deepEqual((w.steps[1] as { cas: string[] }).cas, ['ca-1', 'ca-2'], 'both CAs trusted during the overlap');
    assert.deepEqual((w.steps[6] as { cas: string[] }).cas, ['ca-2']);
    assert.deepEqual(w.secret.serving?.issuer, 'ca-2');
    assert.deepEqual(w.secret.servingIssuedAt, plus(rotationStart, 60_000));
    assert.equal(w.secret.rotatedFor, 'r1');
    // the same request again does nothing
    const again = planCertificates(w.secret, w.configs, w.s, plus(now, 1));
    assert.equal(again.kind, 'idle');
  });

  test('renewal before expiry: the serving certificate 30 days before it expires, the CA 60 days before', () => {
    const w = new World(settings());
    w.run(T0, plus(T0, 10 * 60_000));
    w.steps = [];
    w.run(plus(T0, 10 * 60_000), plus(T0, 400 * DAY_MS));
    const issued = w.steps.filter((s) => s.kind === 'issue-serving').length;
    const cas = w.steps.filter((s) => s.kind === 'create-ca').length;
    // 400 days: serving certificates every 60 days (90 valid, 30 before), CAs every 305 days
    assert.equal(cas, 1);
    assert.ok(issued >= 6 && issued <= 7, `${issued} serving certificates in 400 days`);
    // the serving certificate never comes within renewBefore of expiry
    assert.ok(w.secret.serving!.notAfter.getTime() - plus(T0, 400 * DAY_MS).getTime() > 29 * DAY_MS);
  });

  test('a broken serving certificate is replaced at once, even while a new CA propagates', () => {
    const w = new World(settings());
    let now = w.run(T0, plus(T0, 10 * 60_000));
    now = plus(now, 1000);
    w.secret.serving = { ...w.secret.serving!, keyMatches: false };
    assert.equal(planCertificates(w.secret, w.configs, w.s, now).kind, 'issue-serving');
    w.secret.serving = { ...w.secret.serving, keyMatches: true, notAfter: plus(now, -1) };
    const step = planCertificates(w.secret, w.configs, w.s, now);
    assert.equal(step.kind, 'issue-serving');
    assert.match((step as { reason: string }).reason, /expired/);
  });

  test('caBundle reset by a re-applied manifest (empty, failurePolicy Ignore) is written again', () => {
    const w = new World(settings());
    const now = w.run(T0, plus(T0, 10 * 60_000));
    for (const c of w.configs) for (const h of c.webhooks) h.caBundle = [];
    w.configs[1]!.webhooks[1]!.failurePolicy = 'Ignore';
    w.steps = [];
    w.run(plus(now, 1000), plus(now, 10 * 60_000));
    assert.deepEqual(w.kinds(), ['publish-bundle', 'wait', 'set-failure-policy']);
  });

  test('failurePolicy Ignore configured: set at once, no wait', () => {
    const w = new World(settings({ failurePolicy: 'Ignore' }));
    w.configs[1]!.webhooks[1]!.failurePolicy = 'Fail';
    w.unchecked = true; // an install that shipped Fail with an empty caBundle is unsafe from the start
    w.run(T0, plus(T0, 10 * 60_000));
    assert.deepEqual(w.kinds(), ['create-ca', 'publish-bundle', 'issue-serving', 'set-failure-policy']);
  });

  test('missing objects block with a message naming them', () => {
    const w = new World(settings());
    w.configs[0]!.exists = false;
    const a = planCertificates(w.secret, w.configs, w.s, T0);
    assert.equal(a.kind, 'blocked');
    assert.match((a as { reason: string }).reason, /MutatingWebhookConfiguration gpu-hpa-webhook not found/);
    w.configs[0]!.exists = true;
    const b = planCertificates({ exists: false, trusted: [] }, w.configs, w.s, T0);
    assert.match((b as { reason: string }).reason, /Secret does not exist: it ships \(empty\) with the install/);
  });

  test('simulation: random rotation requests, resets and time jumps never leave a fail-closed webhook with an untrusted certificate', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gapMs: fc.integer({ min: 1, max: 200 * DAY_MS }),
            event: fc.constantFrom('none', 'rotate', 'reset-bundle', 'break-key', 'reset-policy'),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        (events) => {
          const w = new World(settings());
          let now = w.run(T0, plus(T0, 60 * 60_000));
          let r = 0;
          for (const e of events) {
            const target = plus(now, e.gapMs);
            now = w.run(now, target);
            now = target;
            if (e.event === 'rotate') w.secret.rotateRequest = `r${++r}`;
            if (e.event === 'reset-bundle') for (const c of w.configs) for (const h of c.webhooks) h.caBundle = [];
            if (e.event === 'reset-policy') w.configs[1]!.webhooks[1]!.failurePolicy = 'Ignore';
            if (e.event === 'break-key') {
              // an operator edits tls.key by hand: replicas keep the old pair (they refuse a bad one)
              w.secret.serving = { ...w.secret.serving!, keyMatches: false };
            }
            now = w.run(now, plus(now, 60 * 60_000));
            assert.equal(w.configs[1]!.webhooks[1]!.failurePolicy, 'Fail');
            assert.ok(w.secret.trusted.length <= 2, `ca.crt holds ${w.secret.trusted.length} CAs`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('planCertificates: cert-manager and provided Secret', () => {
  const serving = (issuer: string, now: Date): ServingFacts => ({ notBefore: plus(now, -1000), notAfter: plus(now, 90 * DAY_MS), keyMatches: true, coversHosts: true, issuer });
  const ca = (fp: string): CaFacts => ({ fingerprint: fp, notBefore: plus(T0, -1000), notAfter: plus(T0, 3650 * DAY_MS) });

  test('cert-manager: blocked (Ignore kept) until the CA injector fills caBundle, then Fail; never writes the Secret or caBundle', () => {
    const w = new World(settings({ mode: 'cert-manager' }));
    w.secret = { exists: true, trusted: [ca('cm-ca')], serving: serving('cm-ca', T0) };
    const before = planCertificates(w.secret, w.configs, w.s, T0);
    assert.equal(before.kind, 'blocked');
    assert.match((before as { reason: string }).reason, /inject-ca-from/);
    for (const c of w.configs) for (const h of c.webhooks) h.caBundle = ['cm-ca'];
    assert.deepEqual(planCertificates(w.secret, w.configs, w.s, T0), { kind: 'set-failure-policy', policy: 'Fail', reason: `${HPA}: caBundle trusts the served certificate` });
  });

  test('cert-manager: no serving certificate yet is blocked with what to check', () => {
    const w = new World(settings({ mode: 'cert-manager' }));
    w.secret = { exists: true, trusted: [] };
    const step = planCertificates(w.secret, w.configs, w.s, T0);
    assert.equal(step.kind, 'blocked');
    assert.match((step as { reason: string }).reason, /no serving certificate yet \(cert-manager renews it/);
  });

  test("provided Secret: its ca.crt is published into caBundle, failurePolicy Fail after propagation; no ca.crt means the operator's caBundle", () => {
    const w = new World(settings({ mode: 'secret' }));
    w.secret = { exists: true, trusted: [ca('user-ca')], serving: serving('user-ca', T0) };
    w.servingHistory.push({ at: T0, serving: w.secret.serving });
    w.run(T0, plus(T0, 10 * 60_000));
    assert.deepEqual(w.kinds(), ['publish-bundle', 'wait', 'set-failure-policy']);
    const bare = new World(settings({ mode: 'secret' }));
    bare.secret = { exists: true, trusted: [], serving: serving('user-ca', T0) };
    assert.equal(planCertificates(bare.secret, bare.configs, bare.s, T0).kind, 'blocked');
  });
});
