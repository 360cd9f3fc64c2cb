// SPEC Validation 5 word for word (issue 19: string mutants count for hpa-resource-metrics.ts, which
// builds denial messages and their short forms), and its bounds. The HPA controller cannot compute a
// Utilization without a request on every container of the pods ("missing request for cpu in container
// ...", kubernetes pkg/controller/podautoscaler/replica_calculator.go calculatePodRequests); the API
// server defaults requests to limits (pkg/apis/core/v1/defaults.go). Bounds (src/core/bounds.ts): a
// metrics list over 64 is one violation of hpa-metrics.ts and nothing is looked at here; containers
// past the 256th of a cached target are not read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_CONTAINERS, MAX_METRICS } from '../../../src/core/bounds.js';
import { verifyResourceRequests } from '../../../src/core/validate/hpa-resource-metrics.js';

const utilization = (name: string) => ({ type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization: 80 } } });
const containerUtilization = (name: string, container: string) => ({ type: 'ContainerResource', containerResource: { name, container, target: { type: 'Utilization', averageUtilization: 80 } } });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const dep = (containers: any[]) => ({ metadata: { name: 'llm', namespace: 'ml' }, spec: { template: { spec: { containers } } } }) as never;
const withCpu = (name: string) => ({ name, resources: { requests: { cpu: '1' } } });
const bare = (name?: string) => (name === undefined ? { image: 'x' } : { name });

test('Resource Utilization, one container without the request: message and short form', () => {
  assert.deepEqual(verifyResourceRequests([utilization('cpu')], dep([withCpu('server'), bare('sidecar')])), [
    {
      reason: 'resource-metric-without-requests',
      field: 'spec.metrics[0].resource',
      message: 'spec.metrics[0] scales on cpu utilization, but Deployment llm has no cpu request in container "sidecar"; the HPA would show <unknown> — set resources.requests.cpu on every container',
      short: 'cpu Utilization needs requests: set resources.requests.cpu in sidecar',
    },
  ]);
});

test('Resource Utilization, two and four containers without it: the short form names two, then counts the rest', () => {
  const two = verifyResourceRequests([utilization('memory')], dep([bare('a'), bare('b')]));
  assert.equal(
    two[0]!.message,
    'spec.metrics[0] scales on memory utilization, but Deployment llm has no memory request in containers "a", "b"; the HPA would show <unknown> — set resources.requests.memory on every container',
  );
  assert.equal(two[0]!.short, 'memory Utilization needs requests: set resources.requests.memory in a, b');
  const four = verifyResourceRequests([utilization('memory')], dep([bare('a'), bare('b'), bare(), bare('d')]));
  assert.equal(
    four[0]!.message,
    'spec.metrics[0] scales on memory utilization, but Deployment llm has no memory request in containers "a", "b", "?" and 1 more; the HPA would show <unknown> — set resources.requests.memory on every container',
  );
  assert.equal(four[0]!.short, 'memory Utilization needs requests: set resources.requests.memory in a, b and 2 more');
  const three = verifyResourceRequests([utilization('memory')], dep([bare('a'), bare('b'), bare('c')]));
  assert.equal(three[0]!.short, 'memory Utilization needs requests: set resources.requests.memory in a, b and 1 more');
});

test('ContainerResource Utilization: a container that is not there, and one without the request, in full', () => {
  assert.deepEqual(verifyResourceRequests([containerUtilization('cpu', 'sever')], dep([withCpu('server'), bare('sidecar'), bare()])), [
    {
      reason: 'resource-metric-without-requests',
      field: 'spec.metrics[0].containerResource.container',
      message: 'spec.metrics[0].containerResource.container "sever" is not a container of Deployment llm (server, sidecar, ?)',
    },
  ]);
  assert.deepEqual(verifyResourceRequests([utilization('cpu'), containerUtilization('cpu', 'sidecar')], dep([withCpu('server'), { name: 'sidecar', resources: { limits: { memory: '1Gi' } } }])), [
    {
      reason: 'resource-metric-without-requests',
      field: 'spec.metrics[0].resource',
      message: 'spec.metrics[0] scales on cpu utilization, but Deployment llm has no cpu request in container "sidecar"; the HPA would show <unknown> — set resources.requests.cpu on every container',
      short: 'cpu Utilization needs requests: set resources.requests.cpu in sidecar',
    },
    {
      reason: 'resource-metric-without-requests',
      field: 'spec.metrics[1].containerResource',
      message: 'spec.metrics[1] scales on cpu utilization of container "sidecar", which has no cpu request in Deployment llm; set resources.requests.cpu',
    },
  ]);
  // a limit counts as the request (the API server defaults requests to limits)
  assert.deepEqual(verifyResourceRequests([containerUtilization('cpu', 'side')], dep([{ name: 'side', resources: { limits: { cpu: '1' } } }])), []);
});

test('bounds: 64 metrics are judged, 65 are not looked at; containers past the 256th are not read', () => {
  const missing = dep([bare('a')]);
  assert.equal(
    verifyResourceRequests(
      Array.from({ length: MAX_METRICS }, () => utilization('cpu')),
      missing,
    ).length,
    MAX_METRICS,
  );
  assert.deepEqual(
    verifyResourceRequests(
      Array.from({ length: MAX_METRICS + 1 }, () => utilization('cpu')),
      missing,
    ),
    [],
  );
  const many = Array.from({ length: MAX_CONTAINERS }, (_, i) => withCpu(`c${i}`));
  assert.deepEqual(verifyResourceRequests([utilization('cpu')], dep([...many, bare('late')])), [], 'the 257th container is past the bound');
  assert.equal(verifyResourceRequests([utilization('cpu')], dep([...many.slice(1), bare('last')])).length, 1, 'the 256th is read');
  // and a ContainerResource metric cannot name a container past the bound
  assert.equal(verifyResourceRequests([containerUtilization('cpu', 'late')], dep([...many, withCpu('late')]))[0]!.field, 'spec.metrics[0].containerResource.container');
});
