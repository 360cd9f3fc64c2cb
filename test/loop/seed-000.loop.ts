// Issue 12 §1 and issue 18, against the real loop (harness.ts): the guide's own outcome for seed-000, proven by
// the real scheduler, HPA controller and prometheus-adapter rather than by our port of their rules.
//
// 1. On an empty GPU pool (idle GPUs only: no series carries a workload's pod), a team's Deployment with only the
//    opt-in label is admitted — enforcement deny, --prometheus-url on — with a warning saying what was checked and
//    what could not be yet (issue 18); it is stored mutated, its pods land on the GPU node only, its managed HPA
//    appears, reads the metric, scales 1 → 2 at 100 and back to 1 at 10.
// 2. seed-001's HPA (rules on DCGM_FI_DEV_MEMORY_USED, which dcgm-exporter does not export) is denied once its
//    target's pods run and still get no series; with the webhook's HPA validation removed, the real HPA controller
//    shows ScalingActive=False FailedGetPodsMetric for it: the denial was right.
// 3. The managed HPA was written once (one CREATE review, no UPDATE), though the Deployment changed right after.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT } from '../e2e/cluster.js';
import { waitUntil } from '../e2e/harness.js';
import { CPU_NODE, GPU_NODE, startLoop, type Loop } from './harness.js';
import { netnsExists } from './netns.js';

const TEAM = 'team-vision';
const SEEDS = join(REPO_ROOT, 'test', 'fixtures', 'seeds');

function seed<T>(path: string): T {
  return parse(readFileSync(join(SEEDS, path), 'utf8')) as T;
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the seed-000 loop with every component real but the GPU', { timeout: 900_000 }, () => {
  let loop: Loop;
  let netnsName = '';

  before(async () => {
    loop = await startLoop();
    netnsName = loop.netns.name;
  });

  after(async () => {
    if (!loop) return;
    try {
      const events = await loop.core.listNamespacedEvent({ namespace: TEAM });
      const scale = events.items
        .filter((e) => e.involvedObject.kind === 'HorizontalPodAutoscaler')
        .map(
          (e) =>
            `${new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? 0).toISOString()}  ${e.involvedObject.namespace}/${e.involvedObject.name} ${e.type} ${e.reason}: ${e.message}${(e.count ?? 1) > 1 ? ` (×${e.count})` : ''}`,
        );
      process.stdout.write(`\n# the loop's timeline (observed by the test)\n${loop.timeline.render()}\n# the HPA controller's events in ${TEAM}\n${scale.join('\n')}\n`);
    } catch (e) {
      process.stdout.write(`timeline: ${(e as Error).message}\n`);
    }
    await loop.stop();
    assert.equal(netnsExists(netnsName), false, `network namespace ${netnsName} left behind`);
  });

  const hpaPath = (ns: string, name = '') => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers${name ? `/${name}` : ''}`;
  const depPath = (ns: string, name = '') => `/apis/apps/v1/namespaces/${ns}/deployments${name ? `/${name}` : ''}`;

  async function podsOf(ns: string, app: string): Promise<Obj[]> {
    const r = await loop.call('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`);
    return (r.body.items as Obj[]).filter((p) => !p.metadata.deletionTimestamp);
  }

  async function running(ns: string, app: string, n: number): Promise<Obj[] | undefined> {
    const pods = await podsOf(ns, app);
    const up = pods.filter((p) => p.status?.phase === 'Running' && p.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True'));
    return up.length === n && pods.length === n ? up : undefined;
  }

  async function hpaStatus(ns: string, name: string): Promise<Obj | undefined> {
    const r = await loop.call('GET', hpaPath(ns, name));
    return r.status === 200 ? (r.body.status as Obj) : undefined;
  }

  const condition = (s: Obj | undefined, type: string) => (s?.conditions as Obj[] | undefined)?.find((c) => c.type === type);
  const podsMetric = (s: Obj | undefined) => (s?.currentMetrics as Obj[] | undefined)?.[0]?.pods?.current?.averageValue as string | undefined;

  test('a label-only Deployment on an empty GPU pool is admitted with a warning, stored mutated, lands on the GPU node; its managed HPA reads the metric and scales 1 → 2 → 1', async () => {
    const { call, exporter, timeline } = loop;
    // the pool is empty as far as the rule can tell: dcgm-exporter's idle GPUs are there, no series carries a workload pod
    const rule = seed<{ rules: Array<{ seriesQuery: string }> }>('seed-000/adapter-config.yaml').rules[0]!;
    const series = async (q: string) => ((await (await fetch(`${loop.prometheusUrl}/api/v1/series?match[]=${encodeURIComponent(q)}`)).json()) as { data: unknown[] }).data;
    assert.ok((await series('DCGM_FI_DEV_GPU_UTIL')).length > 0, 'Prometheus scrapes the idle GPUs');
    assert.equal((await series(rule.seriesQuery)).length, 0, `no series for ${rule.seriesQuery} yet`);

    await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: TEAM } });
    const labelOnly = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'detector', namespace: TEAM, labels: { app: 'detector', 'gpu-hpa.io/enabled': 'true' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'detector' } },
        template: { metadata: { labels: { app: 'detector' } }, spec: { containers: [{ name: 'server', image: 'registry.example/detector:1' }] } },
      },
    };
    exporter.set('detector', 20);
    const created = await call('POST', depPath(TEAM), labelOnly);
    assert.equal(created.status, 201, `the first opted-in Deployment on an empty pool is admitted (issue 18): ${JSON.stringify(created.body.message ?? created.body)}`);
    timeline.mark(`Deployment ${TEAM}/detector (label only) admitted; warnings: ${JSON.stringify(created.warnings)}`);
    const pending = created.warnings.find((w) => w.includes('gpu_utilization') && /no series yet/.test(w));
    assert.ok(pending, `a warning says the metric's series could not be checked yet: ${JSON.stringify(created.warnings)}`);

    // stored mutated: what the webhook injected is what makes the pods land on the GPU node
    const stored = (await call('GET', depPath(TEAM, 'detector'))).body as Obj;
    const pod = stored.spec.template.spec;
    assert.deepEqual(pod.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    assert.equal(pod.containers[0].resources.limits['nvidia.com/gpu'], '1');
    assert.equal(pod.nodeSelector['nvidia.com/gpu.present'], 'true');
    // the control: the same pod without the webhook's additions can only go to the plain node (the GPU node is tainted)
    const plain = structuredClone(labelOnly) as Obj;
    plain.metadata = { name: 'plain', namespace: TEAM, labels: { app: 'plain' } };
    plain.spec.selector.matchLabels.app = 'plain';
    plain.spec.template.metadata.labels.app = 'plain';
    assert.equal((await call('POST', depPath(TEAM), plain)).status, 201);

    let detectorPods: Obj[] = [];
    await waitUntil('the detector pod Running and Ready', 120_000, async () => ((detectorPods = (await running(TEAM, 'detector', 1)) ?? []), detectorPods.length === 1));
    timeline.mark(`pod ${detectorPods[0]!.metadata.name} Running on ${detectorPods[0]!.spec.nodeName} (kube-scheduler, KWOK)`);
    assert.equal(detectorPods[0]!.spec.nodeName, GPU_NODE);
    let plainPods: Obj[] = [];
    await waitUntil('the plain pod Running', 120_000, async () => ((plainPods = (await running(TEAM, 'plain', 1)) ?? []), plainPods.length === 1));
    assert.equal(plainPods[0]!.spec.nodeName, CPU_NODE, 'without the webhook a pod does not go to the GPU node');

    // the managed HPA, written by the leader replica
    let hpa: Obj | undefined;
    await waitUntil('the managed HPA', 30_000, async () => {
      const r = await call('GET', hpaPath(TEAM, 'detector'));
      hpa = r.status === 200 ? r.body : undefined;
      return hpa !== undefined;
    });
    assert.equal(hpa!.metadata.labels['app.kubernetes.io/managed-by'], 'gpu-hpa-webhook');
    assert.equal(hpa!.spec.metrics[0].pods.metric.name, 'gpu_utilization');
    timeline.mark(`managed HPA ${TEAM}/detector exists (target ${hpa!.spec.metrics[0].pods.target.averageValue}, ${hpa!.spec.minReplicas}..${hpa!.spec.maxReplicas})`);

    // the real HPA reads the exporter's value through Prometheus and prometheus-adapter
    await waitUntil('the HPA reading 20 with ValidMetricFound', 120_000, async () => {
      const s = await hpaStatus(TEAM, 'detector');
      return podsMetric(s) === '20' && condition(s, 'ScalingActive')?.reason === 'ValidMetricFound';
    });
    const s0 = await hpaStatus(TEAM, 'detector');
    assert.equal(condition(s0, 'ScalingActive')?.status, 'True', 'an HPA the webhook allowed gets its metric');
    timeline.mark(`HPA reads gpu_utilization = 20 (ScalingActive=True ValidMetricFound), replicas ${s0?.currentReplicas}`);

    exporter.set('detector', 100);
    timeline.mark('exporter: detector GPUs at 100');
    await waitUntil('the HPA reading 100', 60_000, async () => podsMetric(await hpaStatus(TEAM, 'detector')) === '100');
    timeline.mark('HPA reads 100');
    await waitUntil('scaled to 2', 60_000, async () => (await hpaStatus(TEAM, 'detector'))?.desiredReplicas === 2);
    timeline.mark('HPA desiredReplicas 2');
    await waitUntil('2 detector pods Running', 120_000, async () => ((detectorPods = (await running(TEAM, 'detector', 2)) ?? []), detectorPods.length === 2));
    timeline.mark(`2 pods Running on ${[...new Set(detectorPods.map((p) => p.spec.nodeName))].join(', ')}`);
    assert.deepEqual([...new Set(detectorPods.map((p) => p.spec.nodeName))], [GPU_NODE]);

    // back down: 2 pods at 10 against 30 → ceil(2 × 10/30) = 1 (the loop profile's scale-down window is 0 s)
    exporter.set('detector', 10);
    timeline.mark('exporter: detector GPUs at 10');
    await waitUntil('scaled back to 1', 120_000, async () => (await hpaStatus(TEAM, 'detector'))?.desiredReplicas === 1);
    timeline.mark('HPA desiredReplicas 1');
    await waitUntil('1 detector pod', 120_000, async () => ((await running(TEAM, 'detector', 1)) ?? []).length === 1);
    timeline.mark('1 pod Running');

    const events = await loop.core.listNamespacedEvent({ namespace: TEAM, fieldSelector: 'involvedObject.name=detector,reason=SuccessfulRescale' });
    const msgs = events.items.map((e) => e.message ?? '');
    assert.ok(
      msgs.some((m) => m.startsWith('New size: 2; reason: pods metric gpu_utilization above target')),
      msgs.join('\n'),
    );
    assert.ok(
      msgs.some((m) => m.startsWith('New size: 1; reason: All metrics below target')),
      msgs.join('\n'),
    );
  });

  test('seed-001: denied once its pods run and still get no series; without HPA validation the real HPA controller shows FailedGetPodsMetric', async () => {
    const { call, timeline } = loop;
    // the Deployment seed-001's HPA targets, GPU settings written by hand (not opted in)
    const dep = seed<Obj>('seed-000/deployment.yaml');
    dep.metadata = { name: 'gpu-agent-deployment', namespace: 'default', labels: { app: 'gpu-agent' } };
    dep.spec.replicas = 2;
    dep.spec.selector.matchLabels = { app: 'gpu-agent' };
    dep.spec.template.metadata.labels = { app: 'gpu-agent' };
    dep.spec.template.spec.nodeSelector = { 'nvidia.com/gpu.present': 'true' };
    loop.exporter.set('gpu-agent', 55);
    assert.equal((await call('POST', depPath('default'), dep)).status, 201);
    await waitUntil('gpu-agent pods Running', 120_000, async () => ((await running('default', 'gpu-agent', 2)) ?? []).length === 2);
    timeline.mark('default/gpu-agent-deployment: 2 pods Running on the GPU node');

    // the HPA as seed-001 writes it: while the webhook's discovery has not yet covered the pods for a full interval,
    // it cannot tell "no series yet" from "never": allowed with a warning; then denied
    const hpa = seed<Obj>('seed-001/hpa.yaml');
    let denied: Obj | undefined;
    const early: string[][] = [];
    await waitUntil('the webhook denying seed-001', 60_000, async () => {
      const r = await call('POST', hpaPath('default'), hpa, { dryRun: true });
      if (r.status === 201) {
        early.push(r.warnings);
        return !r.warnings.some((w) => w.includes('gpu_memory_utilization')); // allowed silently: stop, and fail below
      }
      denied = r.body;
      return true;
    });
    assert.ok(denied, `allowed without a warning about the metric: ${JSON.stringify(early.at(-1))}`);
    assert.equal(denied.code, 403, JSON.stringify(denied));
    const real = await call('POST', hpaPath('default'), hpa);
    assert.equal(real.status, 403, JSON.stringify(real.body));
    const message = String(real.body.message);
    assert.match(message, /denied the request/);
    assert.match(message, /gpu_memory_utilization/);
    assert.match(message, /DCGM_FI_DEV_MEMORY_USED/);
    assert.match(message, /Deployment default\/gpu-agent-deployment has 2 available pods since/, "the denial says the target's pods have been running");
    timeline.mark(`webhook denies seed-001's HPA (${early.length} early dry runs allowed with a warning): ${String(denied?.message).slice(0, 160)}…`);

    // the adapter, asked directly through the aggregation layer, serves gpu_utilization and not gpu_memory_utilization
    const list = await call('GET', '/apis/custom.metrics.k8s.io/v1beta1');
    const names = (list.body.resources as Obj[]).map((r) => r.name as string);
    assert.ok(names.includes('pods/gpu_utilization'), names.join(', '));
    assert.ok(!names.includes('pods/gpu_memory_utilization'), names.join(', '));

    // the proof: without the webhook's HPA validation, the real HPA controller cannot get the metric
    const vwc = (await call('GET', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/gpu-hpa-webhook')).body as Obj;
    vwc.webhooks = (vwc.webhooks as Obj[]).filter((w) => w.name !== 'horizontalpodautoscalers.validate.gpu-hpa.io');
    assert.equal((await call('PUT', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/gpu-hpa-webhook', vwc)).status, 200);
    timeline.mark('HPA validation removed from the ValidatingWebhookConfiguration');
    await waitUntil('seed-001 HPA created without HPA validation', 30_000, async () => (await call('POST', hpaPath('default'), hpa)).status === 201);
    timeline.mark("seed-001's HPA stored");
    let st: Obj | undefined;
    await waitUntil('the HPA controller judging seed-001', 60_000, async () => ((st = await hpaStatus('default', 'gpu-agent-hpa')), condition(st, 'ScalingActive')?.reason === 'FailedGetPodsMetric'));
    const active = condition(st, 'ScalingActive')!;
    assert.equal(active.status, 'False');
    assert.match(active.message, /unable to get metric gpu_memory_utilization/);
    assert.match(active.message, /unable to fetch metrics from custom metrics API/);
    timeline.mark(`HPA controller on seed-001: ScalingActive=False FailedGetPodsMetric: ${active.message}`);
  });

  test('the managed HPA was written once: one CREATE review, no UPDATE (issue 18 §3)', () => {
    const reviews = loop.env.webhooks.flatMap((w) =>
      w.lines.filter(
        (l) => l.msg === 'admission review' && l.endpoint === 'validate' && l.kind === 'autoscaling/v2/HorizontalPodAutoscaler' && l.namespace === TEAM && l.name === 'detector' && l.dryRun === false,
      ),
    );
    assert.deepEqual(
      reviews.map((r) => r.operation),
      ['CREATE'],
      `the managed HPA's validating reviews: ${JSON.stringify(reviews)}`,
    );
  });
});
