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
import { createCertStatus } from '../server/cert-status.js';
import { startMetricsServer } from '../server/metrics-server.js';
import { installSignalHandlers, startServer } from '../server/serve.js';
import { readClientCa } from '../server/client-auth.js';
import { ensureSelfSignedCerts, generateCa, generateServingCert, serviceHosts, TlsReloader, tlsServerOptions } from '../server/tls.js';
import { CertificateController, watchServingSecret, type ServingSecretWatch } from '../controller/certificates.js';
import { DEFAULT_ROTATION, FAIL_CLOSED_WEBHOOK, type CertMode, type FailurePolicy } from '../core/cert-rotation.js';
import type { RunningServer } from '../server/serve.js';

export interface ServeOptions {
  port: number;
  /** plain-HTTP port for /metrics (src/server/metrics-server.ts) */
  metricsPort: number;
  /** PEM CA file: review paths then need a client certificate it signed */
  clientCa?: string;
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
  /**
   * Where the serving certificate comes from in a cluster: the Secret --cert-secret, written by the
   * leader (self-managed), by cert-manager, or by the operator (secret). Unset: --tls-cert/--tls-key
   * files, else a self-signed pair in --cert-dir (development).
   */
  certMode?: CertMode;
  certSecret?: string;
  mutatingWebhookConfiguration?: string;
  validatingWebhookConfiguration?: string;
  /** failurePolicy of HPA validation once caBundle trusts the served certificate */
  hpaFailurePolicy?: FailurePolicy;
  /** how long a caBundle or Secret write is given to reach the API servers and replicas */
  certPropagationMs?: number;
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
  const certStatus = createCertStatus(metrics.registry);
  let tls!: { keyPem: string; certPem: string };
  /** the server, once listening (a Secret pair arriving before that is picked up at start) */
  const started: { server?: RunningServer } = {};
  /** --cert-mode: no pair from the Secret yet (the placeholder serves the probes only) */
  let awaitingSecret: string | undefined;
  let secretWatch: ServingSecretWatch | undefined;
  let certificates: CertificateController | undefined;
  if (o.certMode !== undefined) {
    const ref = { namespace: o.namespace, name: o.certSecret ?? 'gpu-hpa-webhook-tls' };
    const label = `Secret ${ref.namespace}/${ref.name}`;
    const hosts = serviceHosts(o.service, o.namespace);
    // Until the Secret's pair arrives the server listens with a throwaway pair no caBundle trusts:
    // /healthz answers (the kubelet does not verify), /readyz says why it is not ready.
    const now = new Date();
    const temp = await generateCa(o.service, o.namespace, now, 1);
    const placeholder = await generateServingCert({ cert: temp.cert, key: temp.key }, hosts, o.service, o.namespace, now, 1);
    tls = { certPem: placeholder.cert, keyPem: placeholder.key };
    awaitingSecret = `waiting for the serving certificate in ${label} (--cert-mode ${o.certMode}${o.certMode === 'self-managed' ? ': the leader writes it' : ''})`;
    const kc = loadKubeConfig(o.kubeconfig);
    {
      // every mode: cert-manager's CA injector fills caBundle, but closing HPA validation is ours
      certificates = new CertificateController({
        kc,
        logger,
        secret: ref,
        service: o.service,
        hosts,
        registry: metrics.registry,
        mutatingWebhookConfiguration: o.mutatingWebhookConfiguration ?? 'gpu-hpa-webhook',
        validatingWebhookConfiguration: o.validatingWebhookConfiguration ?? 'gpu-hpa-webhook',
        settings: {
          ...DEFAULT_ROTATION,
          mode: o.certMode,
          failClosedWebhook: FAIL_CLOSED_WEBHOOK,
          failurePolicy: o.hpaFailurePolicy ?? 'Fail',
          ...(o.certPropagationMs !== undefined ? { propagationMs: o.certPropagationMs } : {}),
        },
      });
    }
    secretWatch = watchServingSecret(
      kc,
      ref,
      {
        serve: (m) => {
          tls = { certPem: m.certPem, keyPem: m.keyPem };
          started.server?.setSecureContext(tlsServerOptions(tls));
          certStatus.served(m.certPem);
          recordTlsReload(metrics, true);
          awaitingSecret = undefined;
          logger.info({ secret: label, fingerprint: m.fingerprint256, notAfter: m.validTo }, 'serving certificate loaded from the Secret');
        },
        reject: (why) => {
          recordTlsReload(metrics, false);
          logger.error({ secret: label, err: why }, 'serving certificate in the Secret refused; the one in use stays');
        },
        changed: () => certificates?.kick(),
      },
      logger,
    );
  }
  if (clusterAvailable(o.kubeconfig)) {
    // informer-backed ClusterView for admission, adapter ConfigMap watch, leader-elected managed-HPA controller
    cluster = startClusterIntegration({
      kubeconfig: o.kubeconfig,
      store,
      logger,
      leaseNamespace: o.namespace,
      adapterConfigMap: o.adapterConfigmap,
      registry: metrics.registry,
      leaderTasks: certificates ? [certificates] : [],
    });
  } else {
    logger.info('no cluster (no --kubeconfig, not in a pod): no managed HPAs; HPA checks that need the target Deployment are skipped');
  }

  let reloader: TlsReloader | undefined;
  if (o.certMode !== undefined) {
    // served from the Secret (above)
  } else if (o.tlsCert && o.tlsKey) {
    reloader = new TlsReloader({
      certPath: o.tlsCert,
      keyPath: o.tlsKey,
      onReload: (m) => {
        recordTlsReload(metrics, true);
        certStatus.served(m.certPem);
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

  if (o.certMode === undefined) certStatus.served(tls.certPem);
  const app = createApp({
    engine: () => store.engine(),
    ready: () => {
      if (awaitingSecret !== undefined) return { ready: false, reason: awaitingSecret };
      const expired = certStatus.problem(new Date());
      if (expired !== undefined) return { ready: false, reason: expired };
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
  const clientCa = o.clientCa !== undefined ? await readClientCa(o.clientCa) : undefined;
  const running = await startServer({ port: o.port, host: o.host, tls: { secureContextProvider: () => tlsServerOptions(tls) }, app, logger, clientCa });
  // a pair that arrived from the Secret while the server was starting
  started.server = running;
  running.setSecureContext(tlsServerOptions(tls));
  // through RunningServer, which keeps the client CA and cipher list in every new secure context
  reloader?.attach(running);
  const metricsServer = await startMetricsServer({ port: o.metricsPort, host: o.host, registry: metrics.registry, logger });
  const src = store.current();
  logger.info({ url: running.url, policy: o.policy ?? 'embedded default', adapterRules: src.rules?.source }, 'gpu-hpa-webhook serving');
  // Hand the Lease over (release it) before exiting, so another replica takes over at once.
  const exit = (code: number) => void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(code));
  installSignalHandlers(running, logger, { exit });
  running.server.on('close', () => {
    void secretWatch?.stop();
    void metricsServer.close();
    reloader?.stop();
    discovery?.stop();
    store.close();
  });
}
