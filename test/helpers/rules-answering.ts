// A stand-in for the adapter's rules in unit tests of pure logic (src/core/validate/hpa-metrics.ts): it
// answers every lookup with one fixed verdict, so each branch of the code under test is reached on purpose.
import type { AdapterRuleSet, MetricRequest, MetricVerdict } from '../../src/core/adapter/types.js';

/** A rule set that answers every lookup with `verdict` and records what it was asked (`asked`). */
export function rulesAnswering(verdict: MetricVerdict): AdapterRuleSet & { asked: MetricRequest[] } {
  const asked: MetricRequest[] = [];
  return {
    source: 'adapter-config.yaml',
    asked,
    lookup(req) {
      asked.push(req);
      return verdict;
    },
    servedNames: () => [],
  };
}
