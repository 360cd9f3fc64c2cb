// Verdicts of an immutable rule set, memoized per request: the same few metrics are asked about in
// every review (and the same HPAs come back on every update). Bounded (core/memo.ts) and handed
// out frozen, so a caller cannot change the answer the next one gets.
import { deepFreeze } from '../json.js';
import { memoize } from '../memo.js';
import { grKey } from './resources.js';
import type { MetricRequest, MetricVerdict } from './types.js';

export class VerdictMemo {
  readonly lookup: (req: MetricRequest) => MetricVerdict;

  constructor(decide: (req: MetricRequest) => MetricVerdict, size = 4096) {
    this.lookup = memoize(
      size,
      (req) => deepFreeze(decide(req)),
      (req) => `${req.kind}\u0000${req.name}\u0000${req.resource ? grKey(req.resource) : ''}\u0000${req.namespaced}\u0000${req.namespace ?? ''}\u0000${req.pods ? `[${req.pods.join('\u0001')}]` : ''}`,
    );
  }
}
