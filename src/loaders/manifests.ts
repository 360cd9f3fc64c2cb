// Reads Kubernetes manifests for `check` and `render`: files or directories (recursively, *.yaml,
// *.yml, *.json), multi-document YAML, JSON, and `kind: List`. Every object keeps where it came from so
// verdicts can point at "hpa.yaml#2". A document that does not parse is an error naming file and line;
// readManifestFiles reports it and goes on with the other files.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { decodeKubectlYaml } from './kubectl-yaml.js';

export interface SourcedObject {
  /** "path/to/file.yaml#2" (1-based document index) */
  source: string;
  object: Record<string, unknown>;
}

/** A document that is not a Kubernetes object (a Helm template, a values file, a bare list or string): reported, not judged. */
export interface SkippedDocument {
  source: string;
  /** why it is not judged, and what to do instead when there is something to do */
  reason: string;
}

export type ManifestEntry = SourcedObject | SkippedDocument;

export function isSkipped(e: ManifestEntry): e is SkippedDocument {
  return 'reason' in e;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

const EXTS = new Set(['.yaml', '.yml', '.json']);

async function expand(path: string): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new ManifestError(`${path}: no such file or directory`);
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await expand(p)));
    else if (EXTS.has(extname(entry.name))) out.push(p);
  }
  return out;
}

export interface ManifestFileError {
  /** the file (or the path that could not be read) */
  file: string;
  message: string;
}

export interface ManifestRead {
  objects: SourcedObject[];
  /** documents read but not Kubernetes objects, with the reason */
  skipped: SkippedDocument[];
  /** objects and skipped documents, in input order */
  entries: ManifestEntry[];
  /** files that could not be read or decoded; the others are still read */
  errors: ManifestFileError[];
}

const HELM_TEMPLATE_REASON =
  'a Helm (Go) template, not a manifest: it holds {{ … }} actions, so it is not the YAML the API server would get; render it first (helm template RELEASE CHART > rendered.yaml) and check the rendered output';

/**
 * Parse one text holding YAML or JSON documents, decoded as kubectl decodes them (kubectl-yaml.ts:
 * sigs.k8s.io/yaml's YAML 1.1 flavour, a repeated key's last value wins). A document that is not a
 * Kubernetes object (a Helm template that does not decode, a mapping without apiVersion and kind such as
 * a values file, a list or a string) is returned as skipped with the reason. Throws a ManifestError naming
 * the file, document and line when a document that is not a template cannot be decoded.
 */
export function parseManifestEntries(text: string, file: string): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  for (const doc of decodeKubectlYaml(text)) {
    const i = doc.index - 1;
    const source = `${file}#${i + 1}`;
    if (doc.error !== undefined) {
      if (doc.template) {
        out.push({ source, reason: `${HELM_TEMPLATE_REASON} (${doc.line ? `line ${doc.line}: ` : ''}${doc.error.replace(/:\s*$/, '')})` });
        continue;
      }
      throw new ManifestError(`${file}${doc.line ? `:${doc.line}` : ''} (document ${doc.index}): ${doc.error}`);
    }
    const value = doc.value;
    if (value === null || value === undefined) continue; // empty document between ---
    if (typeof value !== 'object' || Array.isArray(value)) {
      const found = Array.isArray(value) ? 'a YAML list' : `a ${typeof value}`;
      out.push({ source, reason: doc.template ? HELM_TEMPLATE_REASON : `not a Kubernetes object: the document is ${found}, not a mapping with apiVersion and kind` });
      continue;
    }
    const obj = value as Record<string, unknown>;
    if (obj.kind === 'List' && Array.isArray(obj.items)) {
      obj.items.forEach((item, j) => {
        const at = `${file}#${i + 1}.items[${j}]`;
        if (item && typeof item === 'object' && !Array.isArray(item)) out.push(kubernetesObject(at, item as Record<string, unknown>, doc.template === true));
        else out.push({ source: at, reason: 'not a Kubernetes object: a List item that is not a mapping' });
      });
    } else {
      out.push(kubernetesObject(source, obj, doc.template === true));
    }
  }
  return out;
}

/** The object, or why it is skipped: a mapping without string apiVersion and kind is configuration (a values file, a kustomization's patch, …). */
function kubernetesObject(source: string, obj: Record<string, unknown>, template: boolean): ManifestEntry {
  const missing = (['apiVersion', 'kind'] as const).filter((k) => typeof obj[k] !== 'string' || obj[k] === '');
  if (missing.length === 0) return { source, object: obj };
  if (template) return { source, reason: HELM_TEMPLATE_REASON };
  const keys = Object.keys(obj);
  const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
  const what = missing.map((k) => (obj[k] === undefined ? `no ${k}` : `${k} is not a non-empty string`)).join(' and ');
  return { source, reason: `not a Kubernetes object: ${what} (top-level keys: ${shown || 'none'}), so no API server would take it (a Helm values file or other configuration?)` };
}

/** Read every file; one that cannot be read or decoded is reported and the rest are still read. */
export async function readManifestFiles(paths: string[]): Promise<ManifestRead> {
  const entries: ManifestEntry[] = [];
  const errors: ManifestFileError[] = [];
  for (const p of paths) {
    let files: string[];
    try {
      files = await expand(p);
    } catch (e) {
      errors.push({ file: p, message: (e as Error).message });
      continue;
    }
    for (const file of files) {
      try {
        entries.push(...parseManifestEntries(await readFile(file, 'utf8'), file));
      } catch (e) {
        errors.push({ file, message: e instanceof ManifestError ? e.message : `${file}: ${(e as Error).message}` });
      }
    }
  }
  const objects = entries.filter((e): e is SourcedObject => !isSkipped(e));
  const skipped = entries.filter(isSkipped);
  return { objects, skipped, entries, errors };
}

/** Read every file, or throw a ManifestError for the first that cannot be read (render needs them all). */
export async function readManifests(paths: string[]): Promise<SourcedObject[]> {
  const r = await readManifestFiles(paths);
  if (r.errors.length > 0) throw new ManifestError(r.errors.map((e) => e.message).join('\n'));
  return r.objects;
}
