// Certificates for the aggregation layer, made with openssl: a CA for client certificates (kube-apiserver's
// --client-ca-file), a front-proxy CA and the proxy's client certificate (the --requestheader-* and
// --proxy-client-* flags: how kube-apiserver proves to an extension API server whom it forwards), and a
// serving CA and certificate for prometheus-adapter at <service>.<namespace>.svc (the APIService's caBundle).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function ca(dir: string, name: string, cn: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`]);
}

function signed(dir: string, caName: string, name: string, cn: string, ext: string): void {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
}

export interface LoopPki {
  clientCa: string;
  frontProxyCa: string;
  proxyClientCert: string;
  proxyClientKey: string;
  /** the CN kube-apiserver's --requestheader-allowed-names accepts */
  proxyClientName: string;
  adapterCert: string;
  adapterKey: string;
  /** base64 PEM of the CA that signed the adapter's serving certificate (APIService caBundle) */
  adapterCaBundle: string;
}

export function makePki(dir: string, adapterService: { name: string; namespace: string }): LoopPki {
  ca(dir, 'client-ca', 'loop-client-ca');
  ca(dir, 'front-proxy-ca', 'loop-front-proxy-ca');
  const proxyClientName = 'front-proxy-client';
  signed(dir, 'front-proxy-ca', 'front-proxy-client', proxyClientName, 'extendedKeyUsage=clientAuth\n');
  ca(dir, 'adapter-ca', 'loop-adapter-ca');
  const host = `${adapterService.name}.${adapterService.namespace}.svc`;
  signed(dir, 'adapter-ca', 'adapter', host, `extendedKeyUsage=serverAuth\nsubjectAltName=DNS:${host},DNS:${adapterService.name}.${adapterService.namespace}\n`);
  return {
    clientCa: join(dir, 'client-ca.crt'),
    frontProxyCa: join(dir, 'front-proxy-ca.crt'),
    proxyClientCert: join(dir, 'front-proxy-client.crt'),
    proxyClientKey: join(dir, 'front-proxy-client.key'),
    proxyClientName,
    adapterCert: join(dir, 'adapter.crt'),
    adapterKey: join(dir, 'adapter.key'),
    adapterCaBundle: readFileSync(join(dir, 'adapter-ca.crt')).toString('base64'),
  };
}

/** kube-apiserver flags for the aggregation layer (front proxy to extension API servers). */
export function aggregationFlags(p: LoopPki): string[] {
  return [
    `--client-ca-file=${p.clientCa}`,
    `--requestheader-client-ca-file=${p.frontProxyCa}`,
    `--requestheader-allowed-names=${p.proxyClientName}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${p.proxyClientCert}`,
    `--proxy-client-key-file=${p.proxyClientKey}`,
    // no kube-proxy: route to the EndpointSlice's address, not the Service's cluster IP
    '--enable-aggregator-routing=true',
  ];
}
