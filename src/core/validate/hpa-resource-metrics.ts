// SPEC Validation 5: a Resource (cpu, memory) metric with a Utilization target needs a request for that
// resource on every container of the target's pods, or the HPA controller cannot compute utilization
// and shows <unknown> ("missing request for cpu in container …", pkg/controller/podautoscaler/
// replica_calculator.go calculatePodRequests). AverageValue targets do not use requests.
// The API server defaults requests to limits (pkg/apis/core/v1/defaults.go), so a limit counts.
import type { Violation } from '../admission/decision.js';
import { childPath, indexPath } from '../field.js';
import type { Container, Deployment, MetricSpec } from '../k8s-types.js';
import { brief, excerpt, excerptList, MAX_CONTAINERS, MAX_METRICS } from '../bounds.js';

function hasRequest(c: Container, resource: string): boolean {
  const r = c.resources;
  return r?.requests?.[resource] !== undefined || r?.limits?.[resource] !== undefined;
}

/** Whether any metric is a Resource/ContainerResource Utilization target (the ones that read requests). */
export function needsRequests(metrics: unknown): boolean {
  return (
    Array.isArray(metrics) &&
    metrics.some((m: MetricSpec) => (m?.type === 'Resource' && m.resource?.target?.type === 'Utilization') || (m?.type === 'ContainerResource' && m.containerResource?.target?.type === 'Utilization'))
  );
}

export function verifyResourceRequests(metrics: unknown, target: Deployment): Violation[] {
  // over its bound the list is one violation already (hpa-metrics.ts); nothing is looked at here
  if (!Array.isArray(metrics) || metrics.length > MAX_METRICS) return [];
  const all = target.spec?.template?.spec?.containers;
  // the target comes from the cache: bounded like a Deployment under review (src/core/bounds.ts)
  const containers = (Array.isArray(all) ? all.slice(0, MAX_CONTAINERS) : []).filter((c): c is Container => c !== null && typeof c === 'object');
  const depName = `Deployment ${excerpt(target.metadata?.name ?? '')}`;
  const out: Violation[] = [];
  metrics.forEach((m: MetricSpec, i) => {
    const metric = indexPath('spec.metrics', i);
    if (m?.type === 'Resource' && m.resource?.target?.type === 'Utilization' && typeof m.resource.name === 'string') {
      const name = m.resource.name;
      const missing = containers.filter((c) => !hasRequest(c, name)).map((c) => c.name ?? '?');
      if (missing.length > 0) {
        out.push({
          reason: 'resource-metric-without-requests',
          field: childPath(metric, 'resource'),
          message: `${metric} scales on ${excerpt(name)} utilization, but ${depName} has no ${excerpt(name)} request in container${missing.length > 1 ? 's' : ''} ${excerptList(missing)}; the HPA would show <unknown> — set resources.requests.${excerpt(name)} on every container`,
          short: `${brief(name, 20)} Utilization needs requests: set resources.requests.${brief(name, 20)} in ${missing
            .slice(0, 2)
            .map((c) => brief(c, 20))
            .join(', ')}${missing.length > 2 ? ` and ${missing.length - 2} more` : ''}`,
        });
      }
    }
    if (m?.type === 'ContainerResource' && m.containerResource?.target?.type === 'Utilization' && typeof m.containerResource.name === 'string') {
      const { name, container } = m.containerResource;
      const c = containers.find((x) => x.name === container);
      if (!c) {
        out.push({
          reason: 'resource-metric-without-requests',
          field: childPath(metric, 'containerResource', 'container'),
          message: `${childPath(metric, 'containerResource', 'container')} "${excerpt(String(container))}" is not a container of ${depName} (${excerptList(
            containers.map((x) => x.name ?? '?'),
            5,
            false,
          )})`,
        });
      } else if (!hasRequest(c, name)) {
        out.push({
          reason: 'resource-metric-without-requests',
          field: childPath(metric, 'containerResource'),
          message: `${metric} scales on ${excerpt(name)} utilization of container "${excerpt(String(container))}", which has no ${excerpt(name)} request in ${depName}; set resources.requests.${excerpt(name)}`,
        });
      }
    }
  });
  return out;
}
