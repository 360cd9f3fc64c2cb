// The managed-HPA controller on /metrics, as controller-runtime exposes its own (reconciles, errors,
// queue depth, leader status): what this replica wrote, the Warning Events it wrote instead, failed
// reconciles, whether it holds the Lease, the work waiting, and whether its cluster view is synced.
// Read from the controller's own counters when scraped (prom-client's collect), so the controller
// carries no metrics code and the two cannot disagree.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface ControllerMetricsSource {
  /** monotonic counts since the process started */
  stats: { readonly applies: number; readonly deletes: number; readonly conflicts: number; readonly errors: number };
  queueDepth(): number;
  isLeader(): boolean;
  synced(): boolean;
}

export function registerControllerMetrics(registry: Registry, src: ControllerMetricsSource): void {
  const registers = [registry];
  new Counter({
    name: 'gpu_hpa_webhook_managed_hpa_writes_total',
    help: 'Managed HPAs written by this replica: server-side applies (created or updated) and deletes',
    labelNames: ['action'] as const,
    registers,
    collect() {
      this.reset();
      this.inc({ action: 'apply' }, src.stats.applies);
      this.inc({ action: 'delete' }, src.stats.deletes);
    },
  });
  new Counter({
    name: 'gpu_hpa_webhook_managed_hpa_not_written_total',
    help: 'Warning Events written on Deployments instead of their managed HPA (a team HPA in the way, or the API server refused it)',
    registers,
    collect() {
      this.reset();
      this.inc(src.stats.conflicts);
    },
  });
  new Counter({
    name: 'gpu_hpa_webhook_managed_hpa_reconcile_errors_total',
    help: 'Reconciles of a Deployment that failed and were retried with backoff',
    registers,
    collect() {
      this.reset();
      this.inc(src.stats.errors);
    },
  });
  new Gauge({
    name: 'gpu_hpa_webhook_managed_hpa_queue_depth',
    help: 'Deployments waiting to be reconciled',
    registers,
    collect() {
      this.set(src.queueDepth());
    },
  });
  new Gauge({
    name: 'gpu_hpa_webhook_leader',
    help: '1 when this replica holds the managed-HPA Lease (and so is the one that writes), else 0',
    registers,
    collect() {
      this.set(src.isLeader() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'gpu_hpa_webhook_cluster_cache_synced',
    help: '1 once the Deployment and HPA caches hold a first full list from the API server, else 0 (and /readyz is 503)',
    registers,
    collect() {
      this.set(src.synced() ? 1 : 0);
    },
  });
}
