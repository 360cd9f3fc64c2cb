// What the served certificate says about itself, for the operator: its expiry on /metrics
// (gpu_hpa_webhook_tls_cert_expiry_timestamp_seconds; alert on `... - time() < 7 * 86400`) and a
// failing /readyz once it has expired — the API server refuses an expired certificate, so a replica
// serving one answers no review and should leave the Service's endpoints.
import { X509Certificate } from 'node:crypto';
import { Gauge, type Registry } from 'prom-client';

export interface CertStatus {
  /** the certificate (chain: the first PEM block is the leaf) now being served */
  served(certPem: string): void;
  /** notAfter of the served certificate */
  notAfter(): Date | undefined;
  /** why the served certificate makes this replica unready at `now`, or undefined */
  problem(now: Date): string | undefined;
}

export function createCertStatus(registry: Registry): CertStatus {
  let current: { notAfter: Date; subject: string } | undefined;
  const gauge = new Gauge({
    name: 'gpu_hpa_webhook_tls_cert_expiry_timestamp_seconds',
    help: 'notAfter of the serving certificate in use, in seconds since the epoch.',
    registers: [registry],
  });
  return {
    served(certPem) {
      const leaf = new X509Certificate(certPem);
      current = { notAfter: new Date(leaf.validTo), subject: leaf.subject.replace(/\n/g, ', ') };
      gauge.set(current.notAfter.getTime() / 1000);
    },
    notAfter: () => current?.notAfter,
    problem(now) {
      if (current === undefined || current.notAfter.getTime() > now.getTime()) return undefined;
      return `the serving certificate (${current.subject}) expired at ${current.notAfter.toISOString()}: the API server refuses it; renew it (cert-manager, or gpu-hpa-webhook certs) — the new files are picked up without a restart`;
    },
  };
}
