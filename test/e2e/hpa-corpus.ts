// A deterministic corpus of autoscaling/v2 HorizontalPodAutoscalers for the differential test of
// `check` against kube-apiserver (check-differential.e2e.ts): every rule's boundary on both sides,
// each metric source, behavior, quantities, metadata, unknown and mistyped fields, the YAML flavour
// kubectl reads, and seeded random combinations of all of these. Nothing here says what the API
// server will answer: the test asks it.
import { mulberry32 } from '../helpers/prng.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface Case {
  /** what the case is about, for the disagreement report */
  title: string;
  /** the manifest file's text */
  text: string;
  format: 'json' | 'yaml';
  /**
   * The YAML repeats a key. kubectl's YAMLToJSON keeps the last value; the API server's own YAML
   * decoding under fieldValidation=Strict refuses the repetition instead, so such a case is sent
   * with fieldValidation=Ignore (it has no unknown field), which runs the same YAMLToJSON as kubectl.
   */
  duplicateKeys?: boolean;
}

export const NAMESPACE = 'diff';

const DELETE = Symbol('delete');
type Value = Json | typeof DELETE;
type Edit = [path: (string | number)[], value: Value];

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function apply(doc: Json, edits: Edit[]): Json {
  const out = clone(doc);
  for (const [path, value] of edits) {
    let cur: Json = out;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i]!;
      const next: Json | undefined = (cur as Record<string | number, Json>)[k];
      if (next === undefined || next === null || typeof next !== 'object') {
        const fresh: Json = typeof path[i + 1] === 'number' ? [] : {};
        (cur as Record<string | number, Json>)[k] = fresh;
        cur = fresh;
      } else {
        cur = next;
      }
    }
    const last = path[path.length - 1]!;
    if (value === DELETE) {
      if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
      else delete (cur as Record<string | number, Json>)[last];
    } else {
      (cur as Record<string | number, Json>)[last] = clone(value); // never share the pools' objects between cases
    }
  }
  return out;
}

const CPU: Json = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } };
const METRICS: Record<string, Json> = {
  resourceUtil: CPU,
  resourceValue: { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
  pods: { type: 'Pods', pods: { metric: { name: 'gpu_util' }, target: { type: 'AverageValue', averageValue: '60' } } },
  object: {
    type: 'Object',
    object: { describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' }, metric: { name: 'requests_per_second' }, target: { type: 'Value', value: '10k' } },
  },
  objectAvg: {
    type: 'Object',
    object: { describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' }, metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '100' } },
  },
  external: { type: 'External', external: { metric: { name: 'queue_depth', selector: { matchLabels: { queue: 'jobs' } } }, target: { type: 'AverageValue', averageValue: '30' } } },
  externalValue: { type: 'External', external: { metric: { name: 'queue_depth' }, target: { type: 'Value', value: '300' } } },
  containerResource: { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 60 } } },
};

function baseHpa(name: string): Json {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [CPU] },
  };
}

// ---------------------------------------------------------------------------------------------
// value pools (both sides of each boundary)

const QUANTITIES: Json[] = [
  '1',
  '500m',
  '10k',
  '1Ki',
  '1e3',
  '1E3',
  '1.5',
  '+1',
  ' 2',
  '3 ',
  ' 4 ',
  '0.001',
  '1m',
  '0.0001',
  2,
  1.5,
  1e21,
  0.25,
  '0',
  '0m',
  '-1',
  '-500m',
  0,
  -3,
  '',
  ' ',
  '1K',
  '1KB',
  '1kb',
  '30%',
  '1 k',
  'abc',
  '1\n',
  '\t1',
  '1\t',
  '\n1',
  '1\u00a0',
  '\u00a01',
  '1\u2028',
  '1ki',
  '0x10',
  '.5',
  '5.',
  '1.2.3',
  '1Ei',
  '8Ei',
  '1e',
  '1e-3',
  'e3',
  '1E',
  '1Mi ',
  '\u30001',
  '1\u0085',
  true,
  {},
  [],
  '1e1000',
  '123456789012345678901234567890',
];
const INT32S: Json[] = [0, 1, -1, 2, 5, 100, 3600, 3601, 1800, 1801, 2147483647, 2147483648, -2147483648, -2147483649, 1.5, 1e3, '1', true, [], {}];
const NAMES_SUBDOMAIN: string[] = [
  'web',
  'web-1',
  'a.b',
  'a..b',
  '-a',
  'a-',
  'A',
  'Web',
  'a_b',
  'a b',
  '1',
  'x'.repeat(253),
  'x'.repeat(254),
  `${'a'.repeat(63)}.${'b'.repeat(63)}`,
  'a.',
  '.a',
  'ü',
  'a%b',
  'a/b',
];
const LABEL_KEYS: string[] = [
  'app',
  'App',
  'a.b-c_d',
  'example.com/app',
  'Example.com/app',
  'example.com/App',
  '/app',
  'example.com/',
  'a/b/c',
  '-app',
  'app-',
  `${'k'.repeat(63)}`,
  `${'k'.repeat(64)}`,
  `${'p'.repeat(253)}/k`,
  `${'p'.repeat(254)}/k`,
  'kubernetes.io/x',
  'a b',
  '',
  '_a',
  'a.',
  'ü',
];
const LABEL_VALUES: Json[] = ['', 'web', 'Web_1.x', '-web', 'web-', 'a b', 'v'.repeat(63), 'v'.repeat(64), 'ü', null, 1, true];
const API_VERSIONS: Json[] = ['apps/v1', 'v1', '', '/', '/v1', 'apps/', 'a/b/c', 'apps/v1/', 'Apps/V1', 'apps//v1', 'extensions/v1beta1', 1];
const PATH_SEGMENTS: Json[] = ['web', '', '.', '..', 'a/b', 'a%b', '...', 'Web Server', 'x'.repeat(300), 7];
const CONTAINER_RESOURCE_NAMES: Json[] = [
  'cpu',
  'memory',
  'ephemeral-storage',
  'hugepages-2Mi',
  'nvidia.com/gpu',
  'example.com/foo',
  'kubernetes.io/foo',
  'requests.cpu',
  'storage',
  'pods',
  'gpu',
  'CPU',
  'a/b/c',
  'requests.example.com/x',
  'example.com/',
  '/x',
  'requests.hugepages-2Mi',
  'limits.cpu',
  `${'d'.repeat(244)}/x`,
  `${'d'.repeat(246)}/x`,
  'example.com/Foo_bar.baz',
  '',
];
const CONTAINERS: Json[] = ['app', 'App', 'a.b', '', 'c'.repeat(63), 'c'.repeat(64), '-a', 'a-', '1', 'a_b'];

// ---------------------------------------------------------------------------------------------

interface Built {
  title: string;
  doc: Json;
}

function jsonCases(): Built[] {
  const out: Built[] = [];
  const add = (title: string, edits: Edit[], from: Json = baseHpa('hpa')) => out.push({ title, doc: apply(from, edits) });

  // a valid HPA of each metric source, alone and all together
  for (const [k, m] of Object.entries(METRICS)) add(`valid ${k}`, [[['spec', 'metrics'], [m]]]);
  add('all sources', [[['spec', 'metrics'], Object.values(METRICS)]]);

  // replica bounds
  for (const min of [...INT32S, null, DELETE] as Value[]) add(`minReplicas ${String(typeof min === 'symbol' ? 'absent' : JSON.stringify(min))}`, [[['spec', 'minReplicas'], min]]);
  for (const max of [...INT32S, null, DELETE] as Value[]) add(`maxReplicas ${String(typeof max === 'symbol' ? 'absent' : JSON.stringify(max))}`, [[['spec', 'maxReplicas'], max]]);
  for (const [min, max] of [
    [3, 2],
    [3, 3],
    [0, 0],
    [5, 1],
    [0, 1],
  ] as const)
    add(`min ${min} max ${max}`, [
      [['spec', 'minReplicas'], min],
      [['spec', 'maxReplicas'], max],
    ]);
  add('minReplicas 0 with an Object metric', [
    [['spec', 'minReplicas'], 0],
    [['spec', 'metrics'], [METRICS.object!]],
  ]);
  add('minReplicas 0 with an External metric', [
    [['spec', 'minReplicas'], 0],
    [['spec', 'metrics'], [METRICS.external!]],
  ]);
  add('minReplicas 0, no metrics', [
    [['spec', 'minReplicas'], 0],
    [['spec', 'metrics'], DELETE],
  ]);

  // scaleTargetRef
  for (const v of API_VERSIONS) add(`scaleTargetRef.apiVersion ${JSON.stringify(v)}`, [[['spec', 'scaleTargetRef', 'apiVersion'], v]]);
  for (const v of API_VERSIONS) {
    add(`ReplicationController apiVersion ${JSON.stringify(v)}`, [
      [['spec', 'scaleTargetRef', 'apiVersion'], v],
      [['spec', 'scaleTargetRef', 'kind'], 'ReplicationController'],
    ]);
  }
  add('scaleTargetRef without apiVersion', [[['spec', 'scaleTargetRef', 'apiVersion'], DELETE]]);
  for (const v of PATH_SEGMENTS) add(`scaleTargetRef.kind ${JSON.stringify(v)}`, [[['spec', 'scaleTargetRef', 'kind'], v]]);
  for (const v of PATH_SEGMENTS) add(`scaleTargetRef.name ${JSON.stringify(v)}`, [[['spec', 'scaleTargetRef', 'name'], v]]);
  add('no scaleTargetRef', [[['spec', 'scaleTargetRef'], DELETE]]);
  add('scaleTargetRef null', [[['spec', 'scaleTargetRef'], null]]);
  add('scaleTargetRef a string', [[['spec', 'scaleTargetRef'], 'web']]);
  add('scaleTargetRef.namespace (unknown)', [[['spec', 'scaleTargetRef', 'namespace'], 'default']]);

  // metrics list shapes and types
  add('metrics []', [[['spec', 'metrics'], []]]);
  add('metrics null', [[['spec', 'metrics'], null]]);
  add('metrics [null]', [[['spec', 'metrics'], [null]]]);
  add('metrics [cpu, null]', [
    [
      ['spec', 'metrics'],
      [CPU, null],
    ],
  ]);
  add('metrics an object', [[['spec', 'metrics'], CPU]]);
  add('metrics a string', [[['spec', 'metrics'], 'cpu']]);
  add('metrics [1]', [[['spec', 'metrics'], [1]]]);
  add('metrics [{}]', [[['spec', 'metrics'], [{}]]]);
  for (const t of ['resource', 'RESOURCE', '', 'Bogus', 'Pods', 'External', 'Object', 'ContainerResource', 1])
    add(`Resource source with type ${JSON.stringify(t)}`, [[['spec', 'metrics', 0, 'type'], t]]);
  add('two sources in one metric', [[['spec', 'metrics', 0, 'pods'], (METRICS.pods as { pods: Json }).pods]]);
  add('three sources in one metric', [
    [['spec', 'metrics', 0, 'pods'], (METRICS.pods as { pods: Json }).pods],
    [['spec', 'metrics', 0, 'external'], (METRICS.external as { external: Json }).external],
  ]);
  add('source null', [[['spec', 'metrics', 0, 'resource'], null]]);
  add('source a string', [[['spec', 'metrics', 0, 'resource'], 'cpu']]);
  add('metric Type (case)', [[['spec', 'metrics', 0, 'Type'], 'Resource']]);

  // targets, per source
  const sources: Array<[string, Json]> = [
    ['resource', METRICS.resourceUtil!],
    ['pods', METRICS.pods!],
    ['object', METRICS.object!],
    ['external', METRICS.external!],
    ['containerResource', METRICS.containerResource!],
  ];
  const targets: Json[] = [
    { type: 'Utilization', averageUtilization: 50 },
    { type: 'AverageValue', averageValue: '1' },
    { type: 'Value', value: '1' },
    { type: 'Utilization' },
    { type: 'AverageValue' },
    { type: 'Value' },
    { type: 'Value', value: '1', averageValue: '2' },
    { type: 'AverageValue', averageValue: '1', averageUtilization: 5 },
    { type: 'utilization', averageUtilization: 50 },
    { type: '', averageValue: '1' },
    { averageValue: '1' },
    { type: 'Bogus', value: '1' },
    { type: 'Value', averageValue: '1' },
    {},
    null,
    'x',
    { type: 'AverageValue', averageValue: '1', foo: 1 },
  ];
  for (const [key, m] of sources) {
    targets.forEach((t, i) =>
      add(`${key} target #${i} ${JSON.stringify(t)}`, [
        [['spec', 'metrics'], [m]],
        [['spec', 'metrics', 0, key, 'target'], t],
      ]),
    );
  }
  // quantities in every quantity field
  const qfields: Array<[string, Json, (string | number)[]]> = [
    ['pods averageValue', METRICS.pods!, ['spec', 'metrics', 0, 'pods', 'target', 'averageValue']],
    ['object value', METRICS.object!, ['spec', 'metrics', 0, 'object', 'target', 'value']],
    ['external averageValue', METRICS.external!, ['spec', 'metrics', 0, 'external', 'target', 'averageValue']],
    ['resource averageValue', METRICS.resourceValue!, ['spec', 'metrics', 0, 'resource', 'target', 'averageValue']],
  ];
  QUANTITIES.forEach((q, i) => {
    const [title, m, path] = qfields[i % qfields.length]!;
    add(`${title} ${JSON.stringify(q)}`, [
      [['spec', 'metrics'], [m]],
      [path, q],
    ]);
  });
  for (const u of [0, 1, -5, 50, 100, 1000, 1.5, '50', 2147483648, null]) add(`averageUtilization ${JSON.stringify(u)}`, [[['spec', 'metrics', 0, 'resource', 'target', 'averageUtilization'], u]]);

  // metric identifiers and selectors
  for (const n of PATH_SEGMENTS)
    add(`pods metric.name ${JSON.stringify(n)}`, [
      [['spec', 'metrics'], [METRICS.pods!]],
      [['spec', 'metrics', 0, 'pods', 'metric', 'name'], n],
    ]);
  const selectors: Json[] = [
    { matchLabels: { a: 'b' } },
    'a=b',
    { matchLabels: 'a=b' },
    { matchLabels: { a: 1 } },
    { matchLabels: { a: null } },
    { matchLabels: { 'bad key!': 'x' } },
    { matchExpressions: {} },
    { matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] },
    { matchExpressions: [{ key: 'a', operator: 'Bogus' }] },
    { matchExpressions: [null] },
    { matchExpressions: [{ key: 'a', values: 'x' }] },
    { matchExpressions: [{ key: 'a', operator: 'In', values: [1] }] },
    { foo: 1 },
    {},
    null,
    [],
    { matchExpressions: [{ key: 1 }] },
  ];
  selectors.forEach((sel, i) =>
    add(`external selector #${i} ${JSON.stringify(sel)}`, [
      [['spec', 'metrics'], [METRICS.external!]],
      [['spec', 'metrics', 0, 'external', 'metric', 'selector'], sel],
    ]),
  );
  add('metric identifier a string', [
    [['spec', 'metrics'], [METRICS.pods!]],
    [['spec', 'metrics', 0, 'pods', 'metric'], 'gpu_util'],
  ]);
  for (const v of API_VERSIONS)
    add(`describedObject.apiVersion ${JSON.stringify(v)}`, [
      [['spec', 'metrics'], [METRICS.object!]],
      [['spec', 'metrics', 0, 'object', 'describedObject', 'apiVersion'], v],
    ]);
  for (const v of ['', '.', 'a/b'])
    add(`describedObject.name ${JSON.stringify(v)}`, [
      [['spec', 'metrics'], [METRICS.object!]],
      [['spec', 'metrics', 0, 'object', 'describedObject', 'name'], v],
    ]);

  // resource and container resource names
  for (const n of ['', 'cpu', 'anything-goes', 'gpu', 'a/b/c', 1]) add(`resource.name ${JSON.stringify(n)}`, [[['spec', 'metrics', 0, 'resource', 'name'], n]]);
  for (const n of CONTAINER_RESOURCE_NAMES)
    add(`containerResource.name ${JSON.stringify(n)}`, [
      [['spec', 'metrics'], [METRICS.containerResource!]],
      [['spec', 'metrics', 0, 'containerResource', 'name'], n],
    ]);
  for (const c of CONTAINERS)
    add(`containerResource.container ${JSON.stringify(c)}`, [
      [['spec', 'metrics'], [METRICS.containerResource!]],
      [['spec', 'metrics', 0, 'containerResource', 'container'], c],
    ]);

  // behavior
  const B = ['spec', 'behavior'];
  for (const dir of ['scaleUp', 'scaleDown']) {
    for (const w of [-1, 0, 300, 3600, 3601, 1.5, '60', null]) add(`${dir}.stabilizationWindowSeconds ${JSON.stringify(w)}`, [[[...B, dir, 'stabilizationWindowSeconds'], w]]);
    for (const p of ['Max', 'Min', 'Disabled', 'max', '', null, 1]) add(`${dir}.selectPolicy ${JSON.stringify(p)}`, [[[...B, dir, 'selectPolicy'], p]]);
    add(`${dir}.policies []`, [[[...B, dir, 'policies'], []]]);
    add(`${dir}.policies null`, [[[...B, dir, 'policies'], null]]);
    add(`${dir}.policies [null]`, [[[...B, dir, 'policies'], [null]]]);
    add(`${dir}.policies an object`, [[[...B, dir, 'policies'], { type: 'Pods', value: 1, periodSeconds: 60 }]]);
    for (const t of ['Pods', 'Percent', 'pods', '', 'Bogus']) add(`${dir} policy type ${JSON.stringify(t)}`, [[[...B, dir, 'policies'], [{ type: t, value: 1, periodSeconds: 60 }]]]);
    for (const v of [0, 1, -1, 100, 1.5, '1']) add(`${dir} policy value ${JSON.stringify(v)}`, [[[...B, dir, 'policies'], [{ type: 'Percent', value: v, periodSeconds: 60 }]]]);
    for (const ps of [0, 1, 1800, 1801, -1, DELETE] as Value[]) {
      const policy: Record<string, Json> = { type: 'Pods', value: 2 };
      if (ps !== DELETE) policy.periodSeconds = ps;
      add(`${dir} policy periodSeconds ${typeof ps === 'symbol' ? 'absent' : JSON.stringify(ps)}`, [[[...B, dir, 'policies'], [policy]]]);
    }
    for (const t of ['0.1', '-0.1', '0', '0.05', 'abc', 0.05, -1, '5%', ' 0.1']) add(`${dir}.tolerance ${JSON.stringify(t)}`, [[[...B, dir, 'tolerance'], t]]);
    add(`${dir} unknown field`, [[[...B, dir, 'stabilisationWindowSeconds'], 60]]);
    add(`${dir} a string`, [[[...B, dir], 'fast']]);
    add(`${dir} null`, [[[...B, dir], null]]);
  }
  add('behavior {}', [[B, {}]]);
  add('behavior null', [[B, null]]);
  add('behavior a list', [[B, []]]);

  // metadata
  for (const n of NAMES_SUBDOMAIN) add(`name ${JSON.stringify(n.length > 40 ? `${n.slice(0, 10)}…(${n.length})` : n)}`, [[['metadata', 'name'], n]]);
  for (const g of ['web-', 'Web-', 'a.', '-', 'a', 'x'.repeat(58), `${'x'.repeat(57)}-`, `${'x'.repeat(70)}`, 'a_', `${'x'.repeat(252)}`, `${'x'.repeat(254)}`, 'ab-']) {
    add(`generateName ${JSON.stringify(g.length > 40 ? `${g.slice(0, 10)}…(${g.length})` : g)}`, [
      [['metadata', 'name'], DELETE],
      [['metadata', 'generateName'], g],
    ]);
  }
  add('generateName and an invalid name', [
    [['metadata', 'name'], 'Bad'],
    [['metadata', 'generateName'], 'ok-'],
  ]);
  add('no name', [[['metadata', 'name'], DELETE]]);
  add('name null', [[['metadata', 'name'], null]]);
  add('metadata null', [[['metadata'], null]]);
  for (const k of LABEL_KEYS) add(`label key ${JSON.stringify(k.length > 40 ? `${k.slice(0, 10)}…(${k.length})` : k)}`, [[['metadata', 'labels'], { [k]: 'x' }]]);
  for (const v of LABEL_VALUES) add(`label value ${JSON.stringify(typeof v === 'string' && v.length > 40 ? `${v.slice(0, 10)}…(${v.length})` : v)}`, [[['metadata', 'labels'], { app: v }]]);
  for (const k of LABEL_KEYS) add(`annotation key ${JSON.stringify(k.length > 40 ? `${k.slice(0, 10)}…(${k.length})` : k)}`, [[['metadata', 'annotations'], { [k]: 'any value at all: ü' }]]);
  // annotations total size: keys and values together at most 256 KiB
  for (const extra of [-1, 0, 1]) {
    const key = 'example.com/blob';
    add(`annotations total ${262144 + extra} bytes`, [[['metadata', 'annotations'], { [key]: 'a'.repeat(262144 + extra - key.length) }]]);
  }
  add('annotations over the limit in bytes, not in characters', [[['metadata', 'annotations'], { big: 'ü'.repeat(131072) }]]);
  add('annotation value a number', [[['metadata', 'annotations'], { a: 1 }]]);
  add('labels a string', [[['metadata', 'labels'], 'app=web']]);
  add('labels a list', [[['metadata', 'labels'], ['app']]]);
  for (const f of [
    ['example.com/f'],
    ['kubernetes'],
    ['orphan'],
    ['foregroundDeletion'],
    ['orphan', 'foregroundDeletion'],
    ['foo'],
    ['Example.com/f'],
    ['example.com/F'],
    [''],
    [null],
    ['a/b/c'],
    'x',
    [1],
  ] as Json[]) {
    add(`finalizers ${JSON.stringify(f)}`, [[['metadata', 'finalizers'], f]]);
  }
  const owner = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: '0b7d1c2e-1111-4a0f-9c3e-7d2a5c1e9f00' };
  const owners: Json[] = [
    [owner],
    [{ ...owner, uid: '' }],
    [{ ...owner, name: '' }],
    [{ ...owner, kind: '' }],
    [{ ...owner, apiVersion: '' }],
    [{ ...owner, apiVersion: 'apps/' }],
    [{ ...owner, apiVersion: 'a/b/c' }],
    [{ ...owner, apiVersion: 'v1', kind: 'Event' }],
    [
      { ...owner, controller: true },
      { ...owner, name: 'other', controller: true },
    ],
    [
      { ...owner, controller: true },
      { ...owner, name: 'other', controller: false },
    ],
    [{ ...owner, controller: 'yes' }],
    [{ ...owner, foo: 1 }],
    [null],
    'web',
  ];
  owners.forEach((o, i) => add(`ownerReferences #${i}`, [[['metadata', 'ownerReferences'], o]]));
  for (const g of [-1, 0, 5, 1.5, '1']) add(`generation ${JSON.stringify(g)}`, [[['metadata', 'generation'], g]]);
  for (const t of [null, '2024-01-02T15:04:05Z', '2024-01-02T15:04:05.123+02:00', '2024-13-02T15:04:05Z', 'yesterday', '', 1, '2024-01-02']) {
    add(`creationTimestamp ${JSON.stringify(t)}`, [[['metadata', 'creationTimestamp'], t]]);
  }
  add('metadata.namespace matches', [[['metadata', 'namespace'], NAMESPACE]]);
  add('metadata.uid', [[['metadata', 'uid'], 'anything']]);
  add('metadata.selfLink', [[['metadata', 'selfLink'], '/x']]);
  add('metadata unknown field', [[['metadata', 'labelz'], { a: 'b' }]]);
  add('metadata.Name (case)', [[['metadata', 'Name'], 'web']]);

  // unknown and mistyped fields elsewhere
  add('spec.minreplicas (case)', [[['spec', 'minreplicas'], 2]]);
  add('spec.targetCPUUtilizationPercentage (v1)', [[['spec', 'targetCPUUtilizationPercentage'], 80]]);
  add('top-level unknown field', [[['extra'], true]]);
  add('status accepted and dropped', [[['status'], { currentReplicas: 1, desiredReplicas: 2 }]]);
  add('status with an unknown field', [[['status'], { replicas: 1 }]]);
  add('status mistyped', [[['status'], { currentReplicas: 'one' }]]);
  add('status.conditions', [[['status'], { conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2024-01-02T15:04:05Z' }] }]]);
  add('status.conditions bad time', [[['status'], { conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: 'now' }] }]]);
  add('status.currentMetrics', [[['status'], { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 5 } } }] }]]);
  add('resource target unknown field', [[['spec', 'metrics', 0, 'resource', 'target', 'utilization'], 50]]);
  add('spec a string', [[['spec'], 'x']]);
  add('spec a list', [[['spec'], []]]);
  add('spec null', [[['spec'], null]]);
  add('no spec', [[['spec'], DELETE]]);
  add('metadata a string', [[['metadata'], 'x']]);
  return out;
}

// random combinations: a valid HPA with one to four edits drawn from pools of good and bad values
function randomCases(n: number, seed: number): Built[] {
  const rnd = mulberry32(seed); // the corpus is the same on every run
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const metricKeys = Object.keys(METRICS);
  const generators: Array<() => [string, Edit[]]> = [
    () => {
      const v = pick(INT32S);
      return [`min ${JSON.stringify(v)}`, [[['spec', 'minReplicas'], v]]];
    },
    () => {
      const v = pick(INT32S);
      return [`max ${JSON.stringify(v)}`, [[['spec', 'maxReplicas'], v]]];
    },
    () => {
      const v = pick(API_VERSIONS);
      return [`ref apiVersion ${JSON.stringify(v)}`, [[['spec', 'scaleTargetRef', 'apiVersion'], v]]];
    },
    () => {
      const v = pick(PATH_SEGMENTS);
      return [`ref name ${JSON.stringify(v)}`, [[['spec', 'scaleTargetRef', 'name'], v]]];
    },
    () => {
      const ks = [pick(metricKeys), pick(metricKeys)];
      return [`metrics ${ks.join('+')}`, [[['spec', 'metrics'], ks.map((k) => METRICS[k]!)]]];
    },
    () => {
      const q = pick(QUANTITIES);
      return [
        `pods averageValue ${JSON.stringify(q)}`,
        [
          [['spec', 'metrics'], [METRICS.pods!]],
          [['spec', 'metrics', 0, 'pods', 'target', 'averageValue'], q],
        ],
      ];
    },
    () => {
      const n = pick(CONTAINER_RESOURCE_NAMES);
      const c = pick(CONTAINERS);
      return [
        `containerResource ${JSON.stringify(n)} ${JSON.stringify(c)}`,
        [
          [['spec', 'metrics'], [METRICS.containerResource!]],
          [['spec', 'metrics', 0, 'containerResource', 'name'], n],
          [['spec', 'metrics', 0, 'containerResource', 'container'], c],
        ],
      ];
    },
    () => {
      const n = pick(NAMES_SUBDOMAIN);
      return [`name ${JSON.stringify(n.slice(0, 20))}`, [[['metadata', 'name'], n]]];
    },
    () => {
      const k = pick(LABEL_KEYS);
      const v = pick(LABEL_VALUES);
      return [`label ${JSON.stringify(k.slice(0, 20))}=${JSON.stringify(v)}`, [[['metadata', 'labels', k], v]]];
    },
    () => {
      const k = pick(LABEL_KEYS);
      return [`annotation ${JSON.stringify(k.slice(0, 20))}`, [[['metadata', 'annotations', k], 'v']]];
    },
    () => {
      const dir = pick(['scaleUp', 'scaleDown']);
      const w = pick([-1, 0, 60, 3600, 3601]);
      const ps = pick([0, 15, 1800, 1801]);
      const v = pick([0, 1, 4, -1]);
      const t = pick(['Pods', 'Percent', 'percent']);
      return [`${dir} w=${w} ${t} ${v}/${ps}s`, [[['spec', 'behavior', dir], { stabilizationWindowSeconds: w, policies: [{ type: t, value: v, periodSeconds: ps }] }]]];
    },
    () => {
      const f = pick(['minreplicas', 'MaxReplicas', 'targetCPUUtilizationPercentage', 'metric', 'scaleTargetRefs']);
      return [`unknown spec.${f}`, [[['spec', f], 1]]];
    },
  ];
  const out: Built[] = [];
  for (let i = 0; i < n; i++) {
    const count = 1 + Math.floor(rnd() * 4);
    const titles: string[] = [];
    const edits: Edit[] = [];
    for (let j = 0; j < count; j++) {
      const [t, e] = pick(generators)();
      titles.push(t);
      edits.push(...e);
    }
    out.push({ title: `random #${i}: ${titles.join('; ')}`, doc: apply(baseHpa('hpa'), edits) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// YAML text, where the YAML flavour decides the value

function yamlHpa(spec: string, meta = ''): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hpa${meta}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
${spec}`;
}

const PODS_METRIC = (averageValue: string) => `  metrics:
  - type: Pods
    pods:
      metric:
        name: gpu_util
      target:
        type: AverageValue
        averageValue: ${averageValue}
`;

function yamlCases(): Array<{ title: string; text: string; duplicateKeys?: boolean }> {
  const out: Array<{ title: string; text: string; duplicateKeys?: boolean }> = [];
  const add = (title: string, text: string, duplicateKeys = false) => out.push({ title, text, duplicateKeys });
  const replicas = [
    '010',
    '08',
    '09',
    '0o7',
    '0x10',
    '0b11',
    '1_0',
    '1__0',
    '+5',
    '1e1',
    '1.0',
    '1.5',
    '10.',
    '0.5e1',
    '"010"',
    '!!str 5',
    '!!int "5"',
    'yes',
    '~',
    '',
    '1:20',
    '0777',
    '-0',
    '99999999999',
    '12345678901234567890',
    '0x7fffffff',
    '0x80000000',
    '5 # comment',
  ];
  for (const r of replicas) add(`YAML maxReplicas: ${r}`, yamlHpa(`  minReplicas: 1\n  maxReplicas: ${r}\n`));
  for (const r of ['0', '00', '0x0', '0o1', '01', '1_']) add(`YAML minReplicas: ${r}`, yamlHpa(`  minReplicas: ${r}\n  maxReplicas: 5\n`));
  const quantities = [
    '|\n          1',
    '|-\n          1',
    '>\n          1',
    '>-\n          1',
    '"1\\n"',
    '"1\\t"',
    '" 1 "',
    "' 1 '",
    '1_000',
    '010',
    '0x10',
    '1e3',
    '.5',
    '1.',
    'yes',
    'on',
    '1:20',
    '"1"',
    '500m',
    '1Gi',
    '.inf',
    '-.inf',
    '.nan',
    '"\\u00a01"',
    '"1\\u2028"',
    '"\\u20001"',
    '!!float 1',
    '!!binary MQ==',
    '2001-12-14',
    '+1',
    '-1',
    '0b101',
    '1e400',
    '"1e400"',
    '10Mi # comment',
  ];
  for (const q of quantities) add(`YAML averageValue: ${q.replace(/\n\s*/g, '⏎')}`, yamlHpa(`  maxReplicas: 5\n${PODS_METRIC(q)}`));
  // booleans and numbers where strings are expected
  for (const v of ['yes', 'no', 'on', 'off', 'y', 'n', 'true', 'True', '"yes"', '1', '1.5', '~', 'null', '2001-12-14', '0x1F', 'Y']) {
    add(`YAML label value ${v}`, yamlHpa('  maxReplicas: 5\n', `\n  labels:\n    app: ${v}`));
    add(`YAML annotation value ${v}`, yamlHpa('  maxReplicas: 5\n', `\n  annotations:\n    note: ${v}`));
  }
  for (const k of ['y', 'n', 'yes', 'on', 'true', '1', '1.5', '010', '~', 'null', '"y"', 'app']) add(`YAML label key ${k}`, yamlHpa('  maxReplicas: 5\n', `\n  labels:\n    ${k}: web`));
  for (const v of ['yes', 'on', 'y', '"on"', 'Max', 'max', '~']) add(`YAML selectPolicy: ${v}`, yamlHpa(`  maxReplicas: 5\n  behavior:\n    scaleUp:\n      selectPolicy: ${v}\n`));
  for (const v of ['No', 'off', 'n', 'web', '~', '"no"', '010']) add(`YAML scaleTargetRef name ${v}`, yamlHpa('  maxReplicas: 5\n').replace('    name: web\n', `    name: ${v}\n`));
  add('YAML apiVersion v1 unquoted float-looking 1.0', yamlHpa('  maxReplicas: 5\n').replace('    apiVersion: apps/v1\n', '    apiVersion: 1.0\n'));
  // repeated keys: the last one wins in kubectl's decoding
  add('YAML maxReplicas twice (0 then 5)', yamlHpa('  maxReplicas: 0\n  maxReplicas: 5\n'), true);
  add('YAML maxReplicas twice (5 then 0)', yamlHpa('  maxReplicas: 5\n  maxReplicas: 0\n'), true);
  add('YAML metric type twice (Bogus then Pods)', yamlHpa(`  maxReplicas: 5\n${PODS_METRIC('1').replace('  - type: Pods\n', '  - type: Bogus\n    type: Pods\n')}`), true);
  add('YAML name twice (Bad then ok)', yamlHpa('  maxReplicas: 5\n').replace('  name: hpa\n', '  name: Bad\n  name: ok\n'), true);
  add('YAML name twice (ok then Bad)', yamlHpa('  maxReplicas: 5\n').replace('  name: hpa\n', '  name: ok\n  name: Bad\n'), true);
  add('YAML spec twice (bad then good)', yamlHpa('  maxReplicas: 0\n').replace('spec:\n', 'spec:\n  maxReplicas: 9\nspec:\n'), true);
  // merge keys and anchors
  add(
    'YAML merge key',
    `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hpa
spec:
  scaleTargetRef: &ref
    apiVersion: apps/v1
    kind: Deployment
    name: web
  <<: {minReplicas: 2, maxReplicas: 4}
`,
  );
  // an explicit key after a merge is a repeated key for YAMLToJSONStrict
  add(
    'YAML merge key overridden',
    `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hpa
spec:
  <<: {minReplicas: 3, maxReplicas: 2}
  maxReplicas: 6
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
`,
    true,
  );
  add(
    'YAML alias reused',
    `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hpa
  labels: &l {app: web}
  annotations: *l
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 3
`,
  );
  add(
    'YAML flow style',
    `{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: hpa}, spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 0x3}}\n`,
  );
  add('YAML empty metric entry', yamlHpa('  maxReplicas: 5\n  metrics:\n  -\n'));
  add('YAML empty policies entry', yamlHpa('  maxReplicas: 5\n  behavior:\n    scaleDown:\n      policies:\n      -\n'));
  add('YAML empty value for minReplicas', yamlHpa('  minReplicas:\n  maxReplicas: 5\n'));
  add('YAML tab in a quantity (double quoted)', yamlHpa(`  maxReplicas: 5\n${PODS_METRIC('"\\t1"')}`));
  return out;
}

/** Go's encoding/json escapes these where JSON.stringify does not; kubectl sends Go's encoding. */
export function goJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}

/** The whole corpus, in a fixed order. */
export function generateCorpus(randomCount = 260, seed = 13): Case[] {
  const json = [...jsonCases(), ...randomCases(randomCount, seed)].map((b): Case => ({ title: b.title, text: JSON.stringify(b.doc, null, 2) + '\n', format: 'json' }));
  const yaml = yamlCases().map((y): Case => ({ title: y.title, text: y.text, format: 'yaml', ...(y.duplicateKeys ? { duplicateKeys: true } : {}) }));
  return [...json, ...yaml];
}
