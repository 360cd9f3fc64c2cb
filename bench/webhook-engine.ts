// The engine the benchmarked webhook decides with, as `serve` builds it from its configuration: one
// place for the bench server and the workload (which derives the mutated HPA with it).
import { compileAdapterConfig } from '../src/core/adapter/registry.js';
import type { Engine } from '../src/core/admission/request.js';
import { staticClusterView } from '../src/core/cluster.js';
import { createEngine } from '../src/core/engine.js';
import type { Deployment } from '../src/core/k8s-types.js';
import { parsePolicyText } from '../src/loaders/policy.js';

/** What the benchmarked webhook runs with (as `serve` would): the embedded policy, the shipped DCGM rules, the seed Deployments in the cluster. */
export interface WorkloadConfig {
  policyText: string;
  rulesText: string;
  deployments: unknown[];
}

export function webhookEngine(w: WorkloadConfig): Engine {
  return createEngine({
    policy: parsePolicyText(w.policyText, 'policies/default.yaml'),
    rules: compileAdapterConfig(w.rulesText, 'policies/prometheus-adapter-rules.yaml'),
    cluster: staticClusterView({ deployments: w.deployments as Deployment[], hpas: [] }),
    admitted: true, // as serve builds it (src/loaders/config-store.ts)
  });
}
