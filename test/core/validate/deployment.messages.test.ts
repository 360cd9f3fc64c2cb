// validate/deployment.ts's limits (issue 17) as pure logic and word for word (issue 19: string mutants
// count for files that build denial and warning messages; the engine path is test/core/tenant-limits.test.ts).
// GPUs per pod: what the scheduler reserves for a pod (kubernetes pkg/api/v1/resource/helpers.go
// PodRequests): the app containers plus the restartable (sidecar) init containers, or the largest
// ordinary init container plus the sidecars, whichever is larger; per container and resource, the
// larger of its limit and its request. Under the shipped policy (policies/default.yaml) at most 8 GPUs,
// of nvidia.com/gpu, nvidia.com/gpu.shared or a nvidia.com/mig-* profile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSettings, type GpuSettings } from '../../../src/core/annotations.js';
import { MAX_CONTAINERS } from '../../../src/core/bounds.js';
import type { HorizontalPodAutoscaler } from '../../../src/core/k8s-types.js';
import { judgeExistingHpas, verifyGpuBudget, verifyProfileAllowed } from '../../../src/core/validate/deployment.js';
import { defaultPolicy, plainDeployment } from '../../helpers/fixtures.js';

const policy = defaultPolicy();
const gpu = (name: string, n: number | string, extra: object = {}, resource = 'nvidia.com/gpu') => ({ name, image: 'x', resources: { limits: { [resource]: n } }, ...extra });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const pod = (containers: any[], initContainers?: any[]) => ({ spec: { template: { spec: { containers, ...(initContainers ? { initContainers } : {}) } } } }) as never;
const overMax = (total: string, parts: string) =>
  `the pod asks for ${total} GPUs (${parts}), over the policy's maxGpusPerPod 8; every container counts, sidecars and init containers too — lower the requests`;
const budget = (p: unknown) => verifyGpuBudget(p as never, policy).map((v) => [v.reason, v.field, v.message]);

test('GPUs per pod: 8 is allowed, 9 is denied with every asking container named', () => {
  assert.deepEqual(budget(pod([gpu('server', 8)])), []);
  assert.deepEqual(budget(pod([gpu('server', 4), gpu('side', '4')])), []);
  assert.deepEqual(budget(pod([gpu('server', 8), gpu('side', '1', {}, 'nvidia.com/gpu.shared')])), [
    ['gpus-over-max', 'spec.template.spec', overMax('9', '"server" 8 nvidia.com/gpu, "side" 1 nvidia.com/gpu.shared')],
  ]);
  // fractions are counted in milli-GPUs: 8.5 is over 8
  assert.deepEqual(budget(pod([gpu('server', '8500m')])), [['gpus-over-max', 'spec.template.spec', overMax('8500m', '"server" 8500m nvidia.com/gpu')]]);
  // a container without a name is "?"; an unparsable quantity is the API server's to refuse, not counted
  assert.deepEqual(budget(pod([{ resources: { limits: { 'nvidia.com/gpu': 9 } } }, gpu('bad', 'lots')])), [['gpus-over-max', 'spec.template.spec', overMax('9', '"?" 9 nvidia.com/gpu')]]);
});

test('per container, the larger of limit and request counts, not their sum', () => {
  const both = (limit: string, request: string) => ({ name: 'server', resources: { limits: { 'nvidia.com/gpu': limit }, requests: { 'nvidia.com/gpu': request } } });
  assert.deepEqual(budget(pod([both('8', '8')])), []);
  assert.deepEqual(budget(pod([both('8', '9')])), [['gpus-over-max', 'spec.template.spec', overMax('9', '"server" 9 nvidia.com/gpu')]]);
  assert.deepEqual(budget(pod([both('9', '1')])), [['gpus-over-max', 'spec.template.spec', overMax('9', '"server" 9 nvidia.com/gpu')]]);
  // a request alone counts (an extended resource's request without a limit is the API server's to refuse)
  assert.deepEqual(budget(pod([{ name: 'r', resources: { requests: { 'nvidia.com/gpu': 9 } } }])), [['gpus-over-max', 'spec.template.spec', overMax('9', '"r" 9 nvidia.com/gpu')]]);
});

test('init containers: the largest ordinary one plus the sidecars, against the app containers plus the sidecars', () => {
  // an ordinary init container runs alone (with the sidecars started before it): 9 > 8
  assert.deepEqual(budget(pod([gpu('server', 1)], [gpu('warm', 9)])), [['gpus-over-max', 'spec.template.spec', overMax('9', '"warm" 9 nvidia.com/gpu')]]);
  assert.deepEqual(budget(pod([gpu('server', 8)], [gpu('warm', 8)])), [], 'they do not run together');
  // of two equally large ordinary init containers, the first is named; the larger one wins whatever its place
  assert.deepEqual(budget(pod([gpu('server', 1)], [gpu('a', 9), gpu('b', 9)])), [['gpus-over-max', 'spec.template.spec', overMax('9', '"a" 9 nvidia.com/gpu')]]);
  assert.deepEqual(budget(pod([gpu('server', 1)], [gpu('a', 9), gpu('b', 10), gpu('c', 2)])), [['gpus-over-max', 'spec.template.spec', overMax('10', '"b" 10 nvidia.com/gpu')]]);
  // a sidecar (restartPolicy Always) runs beside the app containers and beside later init containers
  const sidecar = gpu('proxy', 2, { restartPolicy: 'Always' });
  assert.deepEqual(budget(pod([gpu('server', 6)], [sidecar])), []);
  assert.deepEqual(budget(pod([gpu('server', 7)], [sidecar])), [['gpus-over-max', 'spec.template.spec', overMax('9', '"server" 7 nvidia.com/gpu, "proxy" 2 nvidia.com/gpu')]]);
  assert.deepEqual(budget(pod([gpu('server', 1)], [sidecar, gpu('warm', 7)])), [['gpus-over-max', 'spec.template.spec', overMax('9', '"warm" 7 nvidia.com/gpu, "proxy" 2 nvidia.com/gpu')]]);
  // the app containers and an init container ask the same: the app containers are named
  assert.deepEqual(budget(pod([gpu('server', 9)], [gpu('warm', 9)])), [['gpus-over-max', 'spec.template.spec', overMax('9', '"server" 9 nvidia.com/gpu')]]);
  // init containers without a GPU, or not objects, change nothing
  assert.deepEqual(budget(pod([gpu('server', 8)], [{ name: 'plain', image: 'x' }, null, 'x'])), []);
});

test('a GPU resource the policy does not allow is named, with what is allowed; several are listed, then counted', () => {
  const notAllowed = (list: string) => [
    'gpu-resource-not-allowed',
    'spec.template.spec',
    `container ${list}, which the policy does not allow (allowed: nvidia.com/gpu, nvidia.com/gpu.shared, nvidia.com/mig-*)`,
  ];
  assert.deepEqual(budget(pod([gpu('server', 1, {}, 'nvidia.com/vgpu')])), [notAllowed('"server" asks for nvidia.com/vgpu')]);
  assert.deepEqual(budget(pod([gpu('server', 1, {}, 'nvidia.com/mig-1g.10gb')])), [], 'a MIG profile matches nvidia.com/mig-*');
  assert.deepEqual(budget(pod([gpu('server', 1, {}, 'example.com/fpga')])), [], 'not a GPU resource: not judged');
  assert.deepEqual(budget(pod([gpu('a', 1, {}, 'nvidia.com/x')], [gpu('b', 1, {}, 'nvidia.com/y'), gpu('c', 1, { restartPolicy: 'Always' }, 'nvidia.com/z'), gpu('d', 1, {}, 'nvidia.com/w')])), [
    notAllowed('"a" asks for nvidia.com/x, "c" asks for nvidia.com/z, "b" asks for nvidia.com/y and 1 more'),
  ]);
});

test('bounds: containers past the 256th are not read', () => {
  const many = Array.from({ length: MAX_CONTAINERS }, (_, i) => ({ name: `c${i}`, image: 'x' }));
  assert.deepEqual(budget(pod([...many, gpu('late', 9)])), []);
  assert.equal(budget(pod([...many.slice(1), gpu('last', 9)])).length, 1);
  assert.deepEqual(budget(pod([gpu('server', 1)], [...many, gpu('late', 9)])), []);
  assert.equal(budget(pod([gpu('server', 1)], [...many.slice(1), gpu('last', 9)])).length, 1);
});

// --- profiles per namespace ------------------------------------------------------------------------

function trainingSettings(): GpuSettings {
  const p = defaultPolicy((q) => (q.profiles['training']!.namespaceSelector = { matchLabels: { 'gpu-hpa.io/tier': 'research' } }));
  const r = readSettings(plainDeployment({ 'gpu-hpa.io/profile': 'training' }), p);
  assert.ok(r.settings, JSON.stringify(r.violations));
  return r.settings;
}

test('a profile limited to some namespaces: allowed there, denied elsewhere, and when the labels are unknown', () => {
  const s = trainingSettings();
  const field = 'metadata.annotations["gpu-hpa.io/profile"]';
  assert.deepEqual(verifyProfileAllowed(s, 'lab', { 'gpu-hpa.io/tier': 'research' }, true), { violations: [], warnings: [] });
  assert.deepEqual(verifyProfileAllowed(s, 'team-a', { 'gpu-hpa.io/tier': 'prod' }, true), {
    violations: [
      {
        reason: 'profile-not-allowed',
        field,
        message:
          'profile "training" is not allowed in namespace team-a: the policy limits it to namespaces matching gpu-hpa.io/tier=research; pick another profile (gpu-hpa.io/profile) or ask the platform team',
      },
    ],
    warnings: [],
  });
  assert.deepEqual(verifyProfileAllowed(s, 'team-a', undefined, true), {
    violations: [
      {
        reason: 'profile-not-allowed',
        field,
        message: 'profile "training" is limited to namespaces matching gpu-hpa.io/tier=research, and namespace team-a\'s labels are not known to the webhook yet; retry in a moment',
      },
    ],
    warnings: [],
  });
  assert.deepEqual(verifyProfileAllowed(s, 'team-a', undefined, false), {
    violations: [],
    warnings: ['profile "training" is limited to namespaces matching gpu-hpa.io/tier=research; namespace team-a\'s labels are unknown here, so this was not verified'],
  });
  // a profile without a namespaceSelector: anywhere, labels known or not
  const inference = readSettings(plainDeployment(), defaultPolicy()).settings!;
  assert.deepEqual(verifyProfileAllowed(inference, 'team-a', undefined, true), { violations: [], warnings: [] });
});

// --- the HPAs already on a Deployment when it opts in ------------------------------------------------

const inference = readSettings(plainDeployment(), policy).settings!;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function hpa(name: string, target: string, spec: any = {}, labels?: Record<string, string>): HorizontalPodAutoscaler {
  return {
    metadata: { name, namespace: 'ml', ...(labels ? { labels } : {}) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      maxReplicas: 4,
      behavior: {
        scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
        scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
      },
      ...spec,
    },
  };
}
const NOTICE = 'its target is gpu-hpa.io/hpa: managed; set gpu-hpa.io/hpa: external on the Deployment to own this HPA';

test('existing HPAs on the Deployment: each that breaks the profile is named with its reasons and first problem; the managed-mode notice per HPA', () => {
  const unsafe = hpa('llm-hpa', 'llm', { maxReplicas: 33 });
  assert.deepEqual(judgeExistingHpas('llm', inference, [unsafe]), [
    'existing HorizontalPodAutoscaler llm-hpa on this Deployment breaks profile "inference": max-replicas-over-cap: spec.maxReplicas 33 is over 32, the cap of profile "inference" (each replica holds 1 nvidia.com/gpu)',
    `HorizontalPodAutoscaler llm-hpa: ${NOTICE}`,
  ]);
  // a safe one gets the notice only; external mode, not even that
  assert.deepEqual(judgeExistingHpas('llm', inference, [hpa('ok', 'llm')]), [`HorizontalPodAutoscaler ok: ${NOTICE}`]);
  assert.deepEqual(judgeExistingHpas('llm', { ...inference, hpaMode: 'external' }, [hpa('ok', 'llm')]), []);
  // two HPAs on it: each is the other's duplicate, and every reason is listed before the first problem
  const two = judgeExistingHpas('llm', { ...inference, hpaMode: 'external' }, [hpa('a', 'llm', { maxReplicas: 40 }), hpa('b', 'llm')]);
  assert.deepEqual(two, [
    'existing HorizontalPodAutoscaler a on this Deployment breaks profile "inference": max-replicas-over-cap, duplicate-hpa: spec.maxReplicas 40 is over 32, the cap of profile "inference" (each replica holds 1 nvidia.com/gpu)',
    'existing HorizontalPodAutoscaler b on this Deployment breaks profile "inference": duplicate-hpa: Deployment llm is already scaled by HorizontalPodAutoscaler a; two HPAs on one target fight over its replicas — edit or delete a instead',
  ]);
});

test('existing HPAs: only those on this Deployment that are not ours; three are judged, the rest counted', () => {
  const s = { ...inference, hpaMode: 'external' as const };
  const bad = (name: string, target = 'llm', labels?: Record<string, string>) => hpa(name, target, { maxReplicas: 33 }, labels);
  const notJudged = [
    bad('other', 'web'),
    bad('ours', 'llm', { 'app.kubernetes.io/managed-by': 'gpu-hpa-webhook' }),
    { metadata: { name: 'rs' }, spec: { scaleTargetRef: { kind: 'ReplicaSet', name: 'llm' }, maxReplicas: 33 } } as HorizontalPodAutoscaler,
    {} as HorizontalPodAutoscaler,
  ];
  assert.deepEqual(judgeExistingHpas('llm', s, notJudged), []);
  // someone else's managed-by label is not ours
  assert.equal(judgeExistingHpas('llm', s, [bad('helm', 'llm', { 'app.kubernetes.io/managed-by': 'helm' })]).length, 1);
  // an HPA without a name is "?"
  const unnamed = { spec: { scaleTargetRef: { kind: 'Deployment', name: 'llm' }, maxReplicas: 4 } } as HorizontalPodAutoscaler;
  assert.match(judgeExistingHpas('llm', s, [unnamed])[0]!, /^existing HorizontalPodAutoscaler \? on this Deployment breaks profile "inference": /);
  // the three safe HPAs below are judged, the fourth counted; three are the limit, not a count
  const four = ['a', 'b', 'c', 'd'].map((n) => hpa(n, 'llm'));
  const w = judgeExistingHpas('llm', s, four);
  assert.equal(w.length, 4);
  assert.equal(w[3], '1 more HorizontalPodAutoscalers target this Deployment and were not judged');
  assert.deepEqual(
    w.slice(0, 3).map((x) => x.slice(0, 36)),
    ['existing HorizontalPodAutoscaler a o', 'existing HorizontalPodAutoscaler b o', 'existing HorizontalPodAutoscaler c o'],
  );
  assert.equal(judgeExistingHpas('llm', s, four.slice(0, 3)).length, 3, 'three: no count');
});
