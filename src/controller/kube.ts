// Client plumbing shared by the controller, the cluster view and the ConfigMap loader.
import { ApiException, KubeConfig } from '@kubernetes/client-node';

/** --kubeconfig FILE, else the in-cluster ServiceAccount. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromCluster();
  return kc;
}

/** Whether serve runs against a cluster: a kubeconfig was given, or we are in a pod. */
export function clusterAvailable(file?: string): boolean {
  return Boolean(file) || Boolean(process.env.KUBERNETES_SERVICE_HOST);
}

/** The HTTP status of a failed API call, or undefined for a transport error. */
export function httpStatus(e: unknown): number | undefined {
  if (e instanceof ApiException) return e.code;
  const code = (e as { code?: unknown; statusCode?: unknown } | undefined)?.code ?? (e as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The API server's message for a failed call (Status.message), else the error's own. */
export function apiMessage(e: unknown): string {
  if (e instanceof ApiException) {
    const body = e.body as unknown;
    if (typeof body === 'string') {
      try {
        const s = JSON.parse(body) as { message?: string };
        if (s.message) return s.message;
      } catch {
        /* not JSON */
      }
      return body;
    }
    if (body && typeof body === 'object' && 'message' in body) return String(body.message);
  }
  return (e as Error)?.message ?? String(e);
}
