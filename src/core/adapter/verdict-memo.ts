// Verdicts of an immutable rule set, memoized per request: the same few metrics are asked about in
// every review (and the same HPAs come back on every update). Bounded (oldest out first) and handed
// out frozen, so a caller cannot change the answer the next one gets.
import { deepFreeze } from '../json.js';
import { grKey } from './resources.js';
import type { MetricRequest, MetricVerdict } from './types.js';

export class VerdictMemo {
  private readonly cache = new Map<string, MetricVerdict>();

  constructor(
    private readonly decide: (req: MetricRequest) => MetricVerdict,
    private readonly size = 4096,
  ) {}

  lookup(req: MetricRequest): MetricVerdict {
    const key = `${req.kind}\u0000${req.name}\u0000${req.resource ? grKey(req.resource) : ''}\u0000${req.namespaced}\u0000${req.namespace ?? ''}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const v = deepFreeze(this.decide(req));
    if (this.cache.size >= this.size) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, v);
    return v;
  }
}
