// `gpu-hpa-webhook serve`: wires the shells together — configuration (with reload), TLS (files with
// reload, or a generated self-signed pair reused on restart), the express app, metrics, signals.
import { resolve } from 'node:path';
import { adapterConfigMapLabel, startClusterIntegration, type ClusterIntegration } from '../controller/index.js';
import { clusterAvailable, loadKubeConfig } from '../controller/kube.js';
import { startDiscovery, type Discovery } from '../discovery/index.js';
import { ConfigStore } from '../loaders/config-store.js';
import { createApp } from '../server/app.js';
import { createLogger } from '../server/logger.js';
import { createMetrics, recordConfigReload, recordTlsReload } from '../server/metrics.js';
import { installSignalHandlers, startServer } from '../server/serve.js';
import { ensureSelfSignedCerts, TlsReloader, tlsServerOptions } from '../server/tls.js';

export interface ServeOptions {
  port: number;
  host: string;
  policy?: string;
  adapterConfig?: string;
  tlsCert?: string;
  tlsKey?: string;
  certDir: string;
  service: string;
  namespace: string;
  kubeconfig?: string;
  /** NAMESPACE/NAME[:KEY]: adapter rules from a ConfigMap, watched through the API */
  adapterConfigmap?: string;
  /** live series discovery against this Prometheus (src/discovery/) */
  prometheusUrl?: string;
  discoveryIntervalMs?: number;
  /** also ask prometheus-adapter's own discovery through the API server (needs a cluster) */
  adapterApi?: boolean;
  logLevel: string;
}

export async function serve(o: ServeOptions): Promise<void> {
  const logger = createLogger({ level: o.logLevel });
  const metrics = createMetrics();
  let cluster: ClusterIntegration | undefined;
  let discovery: Discovery | undefined;
  const store = new ConfigStore({
    policyPath: o.policy,
    adapterConfigPath: o.adapterConfig,
    adapterRulesExternal: adapterConfigMapLabel(o.adapterConfigmap),
    logger,
    onReload: (source, result) => {
      recordConfigReload(metrics, source, result === 'success');
      if (result === 'success') cluster?.configChanged(); // managed HPAs follow the profile in force
      if (result === 'success' && source === 'adapter-config') void discovery?.refresh(); // new seriesQueries
    },
  });
  await store.load(); // a bad configuration at start is a usage error (exit 2), not a half-ready server
  store.watch();
  if (o.prometheusUrl || o.adapterApi) {
    const adapterApi = o.adapterApi ? loadKubeConfig(o.kubeconfig) : undefined;
    discovery = startDiscovery({ prometheusUrl: o.prometheusUrl, adapterApi, intervalMs: o.discoveryIntervalMs, store, logger, registry: metrics.registry });
  }
  if (clusterAvailable(o.kubeconfig)) {
    // informer-backed ClusterView for admission, adapter ConfigMap watch, leader-elected managed-HPA controller
    cluster = startClusterIntegration({ kubeconfig: o.kubeconfig, store, logger, leaseNamespace: o.namespace, adapterConfigMap: o.adapterConfigmap, registry: metrics.registry });
  } else {
    logger.info('no cluster (no --kubeconfig, not in a pod): no managed HPAs; HPA checks that need the target Deployment are skipped');
  }

  let tls: { keyPem: string; certPem: string };
  let reloader: TlsReloader | undefined;
  if (o.tlsCert && o.tlsKey) {
    reloader = new TlsReloader({
      certPath: o.tlsCert,
      keyPath: o.tlsKey,
      onReload: (m) => {
        recordTlsReload(metrics, true);
        logger.info({ fingerprint: m.fingerprint256, notAfter: m.validTo }, 'serving certificate reloaded');
      },
      onReject: (e) => {
        recordTlsReload(metrics, false);
        logger.error({ err: e.message }, 'new serving certificate refused; the previous one stays in use');
      },
    });
    const m = await reloader.start();
    tls = { keyPem: m.keyPem, certPem: m.certPem };
  } else {
    const dir = resolve(o.certDir);
    const certs = await ensureSelfSignedCerts(dir, { service: o.service, namespace: o.namespace });
    logger.info({ certDir: dir, generated: certs.generated, ca: certs.paths.ca }, 'using a self-signed certificate (pass --tls-cert/--tls-key in production)');
    tls = { keyPem: certs.keyPem, certPem: certs.certPem };
  }

  const app = createApp({
    engine: () => store.engine(),
    ready: () => {
      const s = store.status();
      if (!s.ready) return { ready: false, reason: s.reason };
      const sync = cluster?.syncStatus();
      if (sync && !sync.synced) {
        const why = sync.lastError !== undefined ? ` (last error: ${sync.lastError.slice(0, 300)})` : '';
        return { ready: false, reason: `cluster view not synced: waiting for the first list of ${sync.waitingFor.join(' and ')} from the API server${why}` };
      }
      // a refused reload leaves the last good version in force: ready, but say which source is stale
      const stale = s.stale.map((x) => `${x.source} is stale (last reload refused, the last good version is in force): ${x.error.slice(0, 300)}`);
      return stale.length > 0 ? { ready: true, warning: stale.join('; ') } : { ready: true };
    },
    logger,
    metrics,
  });
  const running = await startServer({ port: o.port, host: o.host, tls: { secureContextProvider: () => tlsServerOptions(tls) }, app, logger });
  reloader?.attach(running.server);
  const src = store.current();
  logger.info({ url: running.url, policy: o.policy ?? 'embedded default', adapterRules: src.rules?.source }, 'gpu-hpa-webhook serving');
  // Hand the Lease over (release it) before exiting, so another replica takes over at once.
  const exit = (code: number) => void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(code));
  installSignalHandlers(running, logger, { exit });
  running.server.on('close', () => {
    reloader?.stop();
    discovery?.stop();
    store.close();
  });
}
