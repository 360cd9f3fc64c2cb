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
  /** files that could not be read or decoded; the others are still read */
  errors: ManifestFileError[];
}

/**
 * Parse one text holding YAML or JSON documents, decoded as kubectl decodes them (kubectl-yaml.ts:
 * sigs.k8s.io/yaml's YAML 1.1 flavour, a repeated key's last value wins). Throws a ManifestError
 * naming the file, document and line when a document cannot be decoded.
 */
export function parseManifestText(text: string, file: string): SourcedObject[] {
  const out: SourcedObject[] = [];
  for (const doc of decodeKubectlYaml(text)) {
    const i = doc.index - 1;
    if (doc.error !== undefined) throw new ManifestError(`${file}${doc.line ? `:${doc.line}` : ''} (document ${doc.index}): ${doc.error}`);
    const value = doc.value;
    if (value === null || value === undefined) continue; // empty document between ---
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new ManifestError(`${file} (document ${i + 1}): expected a Kubernetes object, found ${Array.isArray(value) ? 'a list' : typeof value}`);
    }
    const obj = value as Record<string, unknown>;
    if (obj.kind === 'List' && Array.isArray(obj.items)) {
      obj.items.forEach((item, j) => {
        if (item && typeof item === 'object' && !Array.isArray(item)) out.push({ source: `${file}#${i + 1}.items[${j}]`, object: item as Record<string, unknown> });
      });
    } else {
      out.push({ source: `${file}#${i + 1}`, object: obj });
    }
  }
  return out;
}

/** Read every file; one that cannot be read or decoded is reported and the rest are still read. */
export async function readManifestFiles(paths: string[]): Promise<ManifestRead> {
  const objects: SourcedObject[] = [];
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
        objects.push(...parseManifestText(await readFile(file, 'utf8'), file));
      } catch (e) {
        errors.push({ file, message: e instanceof ManifestError ? e.message : `${file}: ${(e as Error).message}` });
      }
    }
  }
  return { objects, errors };
}

/** Read every file, or throw a ManifestError for the first that cannot be read (render needs them all). */
export async function readManifests(paths: string[]): Promise<SourcedObject[]> {
  const r = await readManifestFiles(paths);
  if (r.errors.length > 0) throw new ManifestError(r.errors.map((e) => e.message).join('\n'));
  return r.objects;
}
