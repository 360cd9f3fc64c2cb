// --adapter-configmap NAMESPACE/NAME[:KEY]: the prometheus-adapter config read and watched through
// the Kubernetes API (the ConfigMap the adapter itself mounts), so the rules in force change when
// the ConfigMap does — no volume, no kubelet sync delay. An invalid new version is refused by the
// ConfigStore and the last good one stays; a deleted ConfigMap also keeps the last good rules.
import type { Logger } from 'pino';
import type { KubeConfig } from './kubeconfig.js';
import { ListWatch } from './list-watch.js';

interface ConfigMap {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  data?: Record<string, string>;
}

export const DEFAULT_ADAPTER_CONFIGMAP_KEY = 'config.yaml';

export interface ConfigMapRef {
  namespace: string;
  name: string;
  key: string;
}

export function parseConfigMapRef(v: string): ConfigMapRef {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)(?::([-._a-zA-Z0-9]+))?$/.exec(v);
  if (!m) throw new Error(`--adapter-configmap "${v}": expected NAMESPACE/NAME or NAMESPACE/NAME:KEY (e.g. monitoring/prometheus-adapter:config.yaml)`);
  return { namespace: m[1]!, name: m[3]!, key: m[5] ?? DEFAULT_ADAPTER_CONFIGMAP_KEY };
}

export function configMapLabel(ref: ConfigMapRef): string {
  return `ConfigMap ${ref.namespace}/${ref.name} key ${ref.key}`;
}

export interface AdapterConfigMapWatch {
  /** resolves after the first list: true when the ConfigMap was there (and handed over) */
  started: Promise<boolean>;
  stop(): Promise<void>;
}

/** Watches one ConfigMap and hands the text under ref.key to accept() on every change. */
export function watchAdapterConfigMap(kc: KubeConfig, ref: ConfigMapRef, accept: (text: string, label: string) => void, logger?: Logger): AdapterConfigMapWatch {
  const label = configMapLabel(ref);
  // one object, selected by name (RBAC resourceNames can allow just it)
  const lw = new ListWatch<ConfigMap>({
    kc,
    what: `configmap ${ref.namespace}/${ref.name}`,
    path: `/api/v1/namespaces/${ref.namespace}/configmaps`,
    fieldSelector: `metadata.name=${ref.name}`,
    trim: (cm) => cm,
    logger,
  });
  let last: string | undefined;
  const onChange = (cm: ConfigMap) => {
    const text = cm.data?.[ref.key];
    if (text === undefined) {
      logger?.error({ configmap: label, keys: Object.keys(cm.data ?? {}) }, 'adapter ConfigMap has no such key; the last good rules stay in force');
      return;
    }
    if (text === last) return; // a resync or a change elsewhere in the ConfigMap
    last = text;
    accept(text, label);
  };
  lw.on('add', onChange);
  lw.on('update', onChange);
  lw.on('delete', () => logger?.error({ configmap: label }, 'adapter ConfigMap deleted; the last good rules stay in force'));
  const started = lw.start().then(() => lw.get(ref.name, ref.namespace) !== undefined);
  return {
    started,
    stop() {
      lw.stop();
      return Promise.resolve();
    },
  };
}
