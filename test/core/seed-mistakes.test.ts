// The mistakes the seed guides make, caught offline (issue 15 item 5). Each test names the seed it
// comes from; the inputs are written here as a team following that guide would write them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optInLabelTypo } from '../../src/core/annotations.js';
import { MAX_WARNING_LENGTH } from '../../src/core/admission/decision.js';
import { plainDeployment } from '../helpers/fixtures.js';

test('the opt-in written as an annotation: a warning that says to make it a label, kept whole under 120 characters', () => {
  const dep = plainDeployment({}, (d) => {
    delete d.metadata.labels['gpu-hpa.io/enabled'];
    d.metadata.annotations['gpu-hpa.io/enabled'] = 'true';
  });
  const w = optInLabelTypo(dep);
  assert.ok(w, 'an annotation-only opt-in must be reported');
  assert.ok(w.length <= MAX_WARNING_LENGTH, `${w.length} characters: ${w}`);
  assert.match(w, /annotation/);
  assert.match(w, /metadata\.labels\["gpu-hpa\.io\/enabled"\]: "true"/);
  // the neighbour: the label itself set (with or without the annotation) is not this warning
  const both = plainDeployment({}, (d) => (d.metadata.annotations['gpu-hpa.io/enabled'] = 'true'));
  assert.equal(optInLabelTypo(both), undefined);
});
