import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Decision } from '../../../src/core/admission/decision.js';
import { erroredResponse, findJsonSyntaxError, parseAdmissionReview, parseJson, toAdmissionReviewResponse, type AdmissionReview } from '../../../src/core/admission/review.js';

function body(request: Record<string, unknown> = {}, top: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'b7f1c5e2-0000-4000-8000-000000000001',
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: 'llm',
      namespace: 'team-a',
      operation: 'CREATE',
      object: { metadata: { name: 'llm' } },
      dryRun: false,
      ...request,
    },
    ...top,
  };
}

function parsed(b: unknown): AdmissionReview {
  const r = parseAdmissionReview(b);
  if (!r.ok) assert.fail(`expected a review, got error: ${r.error}`);
  return r.review;
}

function parseError(b: unknown): string {
  const r = parseAdmissionReview(b);
  if (r.ok) assert.fail('expected a parse error');
  return r.error;
}

const allowed: Decision = { allowed: true, violations: [], warnings: [] };

test('parseAdmissionReview accepts a v1 review and keeps the request fields', () => {
  const r = parsed(body({ subResource: '', requestKind: null, options: null, userInfo: { username: 'u' } }));
  assert.equal(r.request.uid, 'b7f1c5e2-0000-4000-8000-000000000001');
  assert.deepEqual(r.request.kind, { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.equal(r.request.operation, 'CREATE');
  assert.equal(r.request.name, 'llm');
  assert.equal(r.request.namespace, 'team-a');
  assert.equal(r.request.dryRun, false);
  assert.deepEqual(r.request.object, { metadata: { name: 'llm' } });
  assert.deepEqual(r.request.userInfo, { username: 'u' });
  // empty/null optionals are dropped rather than passed on as ''/null
  assert.equal('subResource' in r.request, false);
  assert.equal('requestKind' in r.request, false);
  assert.equal('options' in r.request, false);
});

test('a missing group defaults to the core group ""', () => {
  const r = parsed(body({ kind: { version: 'v1', kind: 'Pod' }, resource: { version: 'v1', resource: 'pods' } }));
  assert.equal(r.request.kind.group, '');
  assert.equal(r.request.resource.group, '');
});

test('DELETE with a null object parses', () => {
  const r = parsed(body({ operation: 'DELETE', object: null, oldObject: { metadata: {} } }));
  assert.equal(r.request.operation, 'DELETE');
  assert.equal(r.request.object, undefined);
  assert.deepEqual(r.request.oldObject, { metadata: {} });
});

test('errors name the path of the missing or bad field', () => {
  const b = body();
  delete (b.request as Record<string, unknown>).uid;
  assert.equal(parseError(b), 'request.uid: required');
  assert.equal(parseError(body({ uid: '' })), 'request.uid: must not be empty');
  assert.match(parseError(body({ operation: 'PATCH' })), /^request\.operation: must be "CREATE" or "UPDATE" or "DELETE" or "CONNECT", got "PATCH"$/);
  assert.equal(parseError(body({ name: 5 })), 'request.name: expected string, got number');
  assert.equal(parseError(body({ kind: { group: 'apps', version: 'v1' } })), 'request.kind.kind: required');
  assert.equal(parseError(body({ resource: 'deployments' })), 'request.resource: expected object, got string');
  assert.equal(parseError(body({ dryRun: 'yes' })), 'request.dryRun: expected boolean, got string');
  assert.equal(parseError({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 'request: required');
  assert.equal(parseError(body({}, { kind: 'Review' })), 'kind: must be "AdmissionReview", got "Review"');
  assert.equal(parseError(body({}, { apiVersion: 'v1' })), 'apiVersion: must be "admission.k8s.io/v1", got "v1"');
  const b2 = body();
  delete b2.apiVersion;
  assert.equal(parseError(b2), 'apiVersion: required');
});

test('several problems are all named, up to a cap', () => {
  const e = parseError({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} });
  assert.match(e, /request\.uid: required/);
  assert.match(e, /request\.kind: required/);
  assert.match(e, /request\.resource: required/);
  assert.match(e, /request\.operation: required/);
});

test('v1beta1 gets its own explanation', () => {
  const e = parseError(body({}, { apiVersion: 'admission.k8s.io/v1beta1' }));
  assert.match(e, /^apiVersion: admission\.k8s\.io\/v1beta1 is not supported/);
  assert.match(e, /admissionReviewVersions/);
});

test('a body that is not an object is named', () => {
  assert.equal(parseError([]), 'body: expected an AdmissionReview object, got array');
  assert.equal(parseError(null), 'body: expected an AdmissionReview object, got null');
  assert.equal(parseError('x'), 'body: expected an AdmissionReview object, got string');
});

test('keys like __proto__ and constructor do not confuse the error paths', () => {
  const b = JSON.parse('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"__proto__":{"uid":"x"}}}');
  assert.match(parseError(b), /request\.uid: required/);
});

test('response echoes apiVersion, kind and uid; allowed has no status', () => {
  const review = parsed(body());
  const out = toAdmissionReviewResponse(review, allowed, 'mutate');
  assert.deepEqual(out, {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: 'b7f1c5e2-0000-4000-8000-000000000001', allowed: true },
  });
});

test('a denial is 403 Forbidden, joins the messages and lists the causes', () => {
  const review = parsed(body());
  const out = toAdmissionReviewResponse(review, {
    allowed: false,
    violations: [
      { reason: 'metric-not-served', message: 'metric gpu_util is not served', field: 'spec.metrics[0].pods.metric.name' },
      { reason: 'max-replicas-over-cap', message: 'maxReplicas 50 exceeds the cap 20' },
    ],
    warnings: [],
  });
  const st = out.response.status;
  assert.ok(st);
  assert.equal(out.response.allowed, false);
  assert.equal(st.code, 403);
  assert.equal(st.reason, 'Forbidden');
  assert.equal(st.status, 'Failure');
  assert.equal(st.message, '2 problems: (1) metric gpu_util is not served; (2) maxReplicas 50 exceeds the cap 20');
  assert.deepEqual(st.details?.causes, [
    { reason: 'metric-not-served', message: 'metric gpu_util is not served', field: 'spec.metrics[0].pods.metric.name' },
    { reason: 'max-replicas-over-cap', message: 'maxReplicas 50 exceeds the cap 20' },
  ]);
  assert.equal(st.details?.name, 'llm');
  assert.equal(st.details?.kind, 'Deployment');
});

test('a single violation is the message as is; a denial without violations still says something', () => {
  const review = parsed(body());
  const one = toAdmissionReviewResponse(review, { allowed: false, violations: [{ reason: 'duplicate-hpa', message: 'bad target' }], warnings: [] });
  assert.equal(one.response.status?.message, 'bad target');
  const none = toAdmissionReviewResponse(review, { allowed: false, violations: [], warnings: [] });
  assert.equal(none.response.status?.message, 'denied by gpu-hpa-webhook');
});

test('warnings are clipped to 120 characters', () => {
  const review = parsed(body());
  const long = 'w'.repeat(300);
  const out = toAdmissionReviewResponse(review, { ...allowed, warnings: ['short', long] });
  assert.equal(out.response.warnings?.[0], 'short');
  assert.equal(out.response.warnings?.[1]?.length, 120);
  assert.ok(out.response.warnings?.[1]?.endsWith('…'));
  assert.equal('warnings' in toAdmissionReviewResponse(review, allowed).response, false);
});

test('the patch is base64 JSON with patchType JSONPatch, and round-trips', () => {
  const review = parsed(body());
  const patch = [
    { op: 'add' as const, path: '/spec/template/spec/tolerations', value: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
    { op: 'add' as const, path: '/metadata/annotations/gpu-hpa.io~1mutated', value: 'ünïcode' },
  ];
  const out = toAdmissionReviewResponse(review, { ...allowed, patch }, 'mutate');
  assert.equal(out.response.patchType, 'JSONPatch');
  assert.ok(out.response.patch);
  assert.deepEqual(JSON.parse(Buffer.from(out.response.patch, 'base64').toString('utf8')), patch);
});

test('no patch when empty, when denied, or from the validating endpoint', () => {
  const review = parsed(body());
  const patch = [{ op: 'add' as const, path: '/x', value: 1 }];
  const empty = toAdmissionReviewResponse(review, { ...allowed, patch: [] }, 'mutate').response;
  assert.equal('patch' in empty || 'patchType' in empty, false);
  const denied = toAdmissionReviewResponse(review, { allowed: false, violations: [{ reason: 'duplicate-hpa', message: 'm' }], warnings: [], patch }, 'mutate').response;
  assert.equal('patch' in denied, false);
  const validating = toAdmissionReviewResponse(review, { ...allowed, patch }, 'validate').response;
  assert.equal('patch' in validating, false);
});

test('erroredResponse carries the uid and the code', () => {
  assert.deepEqual(erroredResponse('u-1', 500, 'boom'), {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: 'u-1', allowed: false, status: { metadata: {}, status: 'Failure', code: 500, reason: 'InternalError', message: 'boom' } },
  });
});

test('parseJson names the line, column and position of a syntax error', () => {
  const cases: [string, string][] = [
    ['{"a":}', "invalid JSON at line 1, column 6 (position 5): unexpected '}', expected a value"],
    ['{"a":1', 'invalid JSON at line 1, column 7 (position 6): unexpected end of input'],
    ['{\n  "a": 1,\n  b: 2\n}', "invalid JSON at line 3, column 3 (position 14): unexpected 'b', expected a property name in double quotes"],
    ['[1,2,,]', "invalid JSON at line 1, column 6 (position 5): unexpected ',', expected a value"],
    ['{"a":1}x', "invalid JSON at line 1, column 8 (position 7): unexpected 'x' after the end of the JSON value"],
    ['not json', "invalid JSON at line 1, column 1 (position 0): unexpected 'n', expected a value"],
    ['"\\u12"', 'invalid JSON at line 1, column 2 (position 1): bad unicode escape'],
    ['', 'invalid JSON at line 1, column 1 (position 0): empty document'],
  ];
  for (const [text, want] of cases) {
    const r = parseJson(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.equal(r.error, want, text);
  }
  assert.deepEqual(parseJson('{"a":[1,{"b":null}]}'), { ok: true, value: { a: [1, { b: null }] } });
});

test('the error message does not echo the body', () => {
  const r = parseJson('{"password":"hunter2" "x":1}');
  assert.equal(r.ok, false);
  if (!r.ok) assert.doesNotMatch(r.error, /hunter2/);
});

test('the syntax scanner agrees with JSON.parse (property)', () => {
  const agrees = (s: string) => {
    let valid = true;
    try {
      JSON.parse(s);
    } catch {
      valid = false;
    }
    assert.equal(findJsonSyntaxError(s) === undefined, valid, JSON.stringify(s));
  };
  // valid documents, and the same documents cut, spliced and sprinkled with stray characters
  fc.assert(
    fc.property(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', '\\', 'x', '\n', '-', '.', 'e', '0', '\u0001'), (j, n, extra) => {
      agrees(j);
      const at = j.length === 0 ? 0 : n % j.length;
      agrees(j.slice(0, at));
      agrees(j.slice(0, at) + extra + j.slice(at));
      agrees(j.slice(0, at) + j.slice(at + 1));
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => agrees(s)),
    { numRuns: 500 },
  );
  agrees('['.repeat(100_000) + ']'.repeat(100_000));
  agrees('['.repeat(100_000));
});

test('property: generated reviews decode to a request without nulls, or to an error naming a field', () => {
  // mostly valid, so that a good share of whole reviews is valid; a bad value now and then
  const or = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 40, arbitrary: good }, fc.constant(null), fc.constant(undefined), fc.jsonValue({ maxDepth: 1 }));
  const mostly = <T>(good: T[], bad: T[]) => fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...good) }, fc.constantFrom(...bad));
  const name = mostly(['apps', 'v1', 'Deployment', 'x'], ['']);
  // required keys are always generated (or() still makes them null, absent-valued or junk now and then)
  const gvk = or(fc.record({ group: or(name), version: or(name), kind: or(name) }, { requiredKeys: ['version', 'kind'] }));
  const gvr = or(fc.record({ group: or(name), version: or(name), resource: or(name) }, { requiredKeys: ['version', 'resource'] }));
  const request = or(
    fc.record(
      {
        uid: or(mostly(['u-1'], [''])),
        kind: gvk,
        resource: gvr,
        subResource: or(fc.constantFrom('', 'scale', 'status')),
        requestKind: gvk,
        name: or(fc.string({ maxLength: 3 })),
        namespace: or(fc.string({ maxLength: 3 })),
        operation: or(mostly(['CREATE', 'UPDATE', 'DELETE', 'CONNECT'], ['create', 'PATCH'])),
        userInfo: fc.jsonValue({ maxDepth: 1 }),
        object: or(fc.jsonValue({ maxDepth: 2 })),
        oldObject: or(fc.jsonValue({ maxDepth: 2 })),
        dryRun: or(fc.boolean()),
        options: or(fc.jsonValue({ maxDepth: 1 })),
      },
      { requiredKeys: ['uid', 'kind', 'resource', 'operation'] },
    ),
  );
  const review = or(
    fc.record(
      {
        apiVersion: or(mostly(['admission.k8s.io/v1'], ['admission.k8s.io/v1beta1'])),
        kind: or(mostly(['AdmissionReview'], ['Review'])),
        request,
      },
      { requiredKeys: ['apiVersion', 'kind', 'request'] },
    ),
  );
  let accepted = 0;
  fc.assert(
    fc.property(review, (r) => {
      const input: unknown = r === undefined ? undefined : JSON.parse(JSON.stringify(r));
      const checked = parseAdmissionReview(input);
      if (!checked.ok) {
        assert.match(checked.error, /^(body|apiVersion|kind|request)\b/);
        return;
      }
      accepted++;
      // Go's nulls are absent in the decoded request, so consumers can test for undefined only
      const decoded = checked.review.request as unknown as Record<string, unknown>;
      for (const k of ['subResource', 'requestKind', 'name', 'namespace', 'object', 'oldObject', 'dryRun', 'options']) assert.notEqual(decoded[k], null, k);
      assert.equal(typeof checked.review.request.kind.group, 'string');
    }),
    { numRuns: 3000 },
  );
  assert.ok(accepted > 100, `the generator must produce valid reviews too (got ${accepted})`);
});
