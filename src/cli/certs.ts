// `gpu-hpa-webhook certs`: a CA, a serving certificate for the service, and the webhook
// configurations of manifests/ pointed at that service with caBundle filled, for clusters without
// cert-manager.
import { FAIL_CLOSED_WEBHOOK } from '../core/cert-rotation.js';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, parseAllDocuments, type Document } from 'yaml';
import { CertOptionsError, ensureSelfSignedCerts, type SelfSignedCerts } from '../server/tls.js';

export { CertOptionsError };

const WEBHOOK_KINDS = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);

/** The annotation that lets cert-manager own caBundle; dropped, since this command fills it. */
const CA_INJECT_ANNOTATION = 'cert-manager.io/inject-ca-from';

/** manifests/ of the package: two levels up from src/cli/ and from dist/cli/ alike. */
export const DEFAULT_MANIFESTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'manifests');

export interface CertsOptions {
  service: string;
  namespace: string;
  outDir: string;
  /** where the webhook configurations are read from (default: the package's manifests/) */
  manifestsDir?: string;
  /** more SANs for the serving certificate (names or IPs) */
  extraHosts?: string[];
}

export interface WrittenFile {
  path: string;
  description: string;
}

export interface CertsResult {
  /** every file of outDir this command produced or reused, in the order to print them */
  files: WrittenFile[];
  /** base64 of the CA certificate, as written into each caBundle */
  caBundle: string;
  /** what was generated: nothing (existing certificates reused), the serving certificate, or all */
  generated: SelfSignedCerts['generated'];
  /** commands that install the result, for the CLI to print */
  nextSteps: string[];
}

/**
 * Writes (or reuses, when still valid for this service) ca.crt, ca.key, tls.crt and tls.key in
 * outDir, and one YAML file per webhook configuration found in manifestsDir with every webhook's
 * clientConfig.service set to service/namespace and caBundle filled.
 */
export async function runCerts(opts: CertsOptions): Promise<CertsResult> {
  const manifestsDir = opts.manifestsDir ?? DEFAULT_MANIFESTS_DIR;
  const sources = await findWebhookConfigurations(manifestsDir);
  if (sources.length === 0) {
    throw new CertOptionsError(`no MutatingWebhookConfiguration or ValidatingWebhookConfiguration found in ${manifestsDir}`);
  }

  const certs = await ensureSelfSignedCerts(opts.outDir, {
    service: opts.service,
    namespace: opts.namespace,
    ...(opts.extraHosts ? { extraHosts: opts.extraHosts } : {}),
  });
  const caBundle = Buffer.from(certs.caPem, 'utf8').toString('base64');
  const verb = certs.generated === 'none' ? 'reused' : 'generated';
  const files: WrittenFile[] = [
    { path: certs.paths.ca, description: `CA certificate (${certs.generated === 'all' ? 'generated' : 'reused'})` },
    { path: certs.paths.caKey, description: 'CA private key: keep it out of the cluster; it renews the serving certificate' },
    { path: certs.paths.cert, description: `serving certificate for ${opts.service}.${opts.namespace}.svc (${verb})` },
    { path: certs.paths.key, description: 'serving private key' },
  ];

  for (const source of sources) {
    for (const doc of source.docs) pointAtService(doc, opts.service, opts.namespace, caBundle);
    const out = join(opts.outDir, basename(source.path));
    const header = `# Written by \`gpu-hpa-webhook certs --service ${opts.service} --namespace ${opts.namespace}\` from ${basename(source.path)}.\n`;
    const body = source.docs.map((d) => d.toString({ lineWidth: 0 })).join('---\n');
    const tmp = `${out}.${process.pid}.tmp`;
    await writeFile(tmp, header + body, { mode: 0o644 });
    await rename(tmp, out);
    files.push({ path: out, description: source.kinds.join(', ') + ' with caBundle filled' });
  }

  const webhookFiles = files
    .slice(4)
    .map((f) => `-f ${f.path}`)
    .join(' ');
  const nextSteps = [
    `kubectl -n ${opts.namespace} create secret tls ${opts.service}-tls --cert ${certs.paths.cert} --key ${certs.paths.key} --dry-run=client -o yaml | kubectl apply -f -`,
    `kubectl apply ${webhookFiles}`,
  ];
  return { files, caBundle, generated: certs.generated, nextSteps };
}

interface Source {
  path: string;
  docs: Document[];
  kinds: string[];
}

/** The YAML files of dir (not its subfolders: those are kustomize components) holding webhook configurations. */
async function findWebhookConfigurations(dir: string): Promise<Source[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n) && n !== 'kustomization.yaml').sort();
  } catch (err) {
    throw new CertOptionsError(`cannot read manifests directory ${dir}: ${(err as Error).message}`);
  }
  const sources: Source[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const docs = parseAllDocuments(await readFile(path, 'utf8'));
    if (!Array.isArray(docs)) continue; // an empty stream
    const kinds: string[] = [];
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
      const kind = doc.get('kind');
      if (typeof kind === 'string' && WEBHOOK_KINDS.has(kind)) kinds.push(kind);
    }
    // Only the webhook documents are written out; the rest of such a file is installed by kustomize.
    const webhookDocs = docs.filter((d) => WEBHOOK_KINDS.has(String(d.get('kind'))));
    if (webhookDocs.length > 0) sources.push({ path, docs: webhookDocs, kinds });
  }
  return sources;
}

/** Points every webhook of the configuration at service/namespace and fills caBundle (comments kept). */
function pointAtService(doc: Document, service: string, namespace: string, caBundle: string): void {
  doc.deleteIn(['metadata', 'annotations', CA_INJECT_ANNOTATION]);
  const annotations = doc.getIn(['metadata', 'annotations']);
  if (isMap(annotations) && annotations.items.length === 0) doc.deleteIn(['metadata', 'annotations']);

  const webhooks = doc.get('webhooks');
  if (!isSeq(webhooks)) throw new Error(`${String(doc.getIn(['metadata', 'name']))}: webhooks is not a list`);
  webhooks.items.forEach((_, i) => {
    const oldNamespace = doc.getIn(['webhooks', i, 'clientConfig', 'service', 'namespace']);
    doc.deleteIn(['webhooks', i, 'clientConfig', 'url']);
    doc.setIn(['webhooks', i, 'clientConfig', 'service', 'name'], service);
    doc.setIn(['webhooks', i, 'clientConfig', 'service', 'namespace'], namespace);
    doc.setIn(['webhooks', i, 'clientConfig', 'caBundle'], caBundle);
    // The manifests ship HPA validation open until a caBundle is in (manifests/webhook-validating.yaml);
    // these files carry the caBundle, so they close it as the webhook's leader would.
    if (doc.getIn(['webhooks', i, 'name']) === FAIL_CLOSED_WEBHOOK) doc.setIn(['webhooks', i, 'failurePolicy'], 'Fail');
    // The webhook's own namespace stays excluded when it moves to another namespace.
    const expressions = doc.getIn(['webhooks', i, 'namespaceSelector', 'matchExpressions']);
    if (!isSeq(expressions) || typeof oldNamespace !== 'string' || oldNamespace === namespace) return;
    expressions.items.forEach((_e, j) => {
      const path = ['webhooks', i, 'namespaceSelector', 'matchExpressions', j];
      if (doc.getIn([...path, 'key']) !== 'kubernetes.io/metadata.name' || doc.getIn([...path, 'operator']) !== 'NotIn') return;
      const values = doc.getIn([...path, 'values']);
      if (!isSeq(values)) return;
      values.items.forEach((_v, k) => {
        if (doc.getIn([...path, 'values', k]) === oldNamespace) doc.setIn([...path, 'values', k], namespace);
      });
    });
  });
}

/** The text the CLI prints: what was written, then how to install it. */
export function formatCertsResult(result: CertsResult): string {
  const width = Math.max(...result.files.map((f) => f.path.length));
  const lines = result.files.map((f) => `  ${f.path.padEnd(width)}  ${f.description}`);
  return [result.generated === 'none' ? 'Reused the certificates in place (valid for this service):' : 'Wrote:', ...lines, '', 'Install:', ...result.nextSteps.map((s) => `  ${s}`)].join('\n');
}
