// hpa-resource-metrics.ts alone (its HTTP path is in test/webhook/hpas.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needsRequests, verifyResourceRequests } from '../../../src/core/validate/hpa-resource-metrics.js';
import { plainDeployment } from '../../helpers/fixtures.js';

const utilization = (name: string) => ({ type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization: 80 } } });

test('cpu utilization on a Deployment whose containers all request cpu: no violations', () => {
  assert.equal(needsRequests([utilization('cpu')]), true);
  assert.deepEqual(verifyResourceRequests([utilization('cpu')], plainDeployment()), []);
});

test('utilization of a resource a container does not request is denied, naming the container', () => {
  const dep = plainDeployment({}, (d) => delete d.spec.template.spec.containers[1].resources.requests.memory);
  const [v, ...rest] = verifyResourceRequests([utilization('cpu'), utilization('memory')], dep);
  assert.deepEqual(rest, []);
  assert.equal(v?.reason, 'resource-metric-without-requests');
  assert.equal(v?.field, 'spec.metrics[1].resource');
  assert.match(v.message, /"sidecar"/);
});
