// Reads Kubernetes manifests for `check` and `render`: files or directories (recursively, *.yaml,
// *.yml, *.json), multi-document YAML, JSON, and `kind: List`. Every object keeps where it came from so
// verdicts can point at "hpa.yaml#2". A document that does not parse is an error naming file and line.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

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

/** Parse one text holding YAML or JSON documents. */
export function parseManifestText(text: string, file: string): SourcedObject[] {
  const out: SourcedObject[] = [];
  // uniqueKeys: a duplicated key in a manifest is an error for kubectl too (strict decoding)
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0]?.line;
      throw new ManifestError(`${file}${line ? `:${line}` : ''} (document ${i + 1}): ${e.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return; // empty document between ---
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
  });
  return out;
}

export async function readManifests(paths: string[]): Promise<SourcedObject[]> {
  const out: SourcedObject[] = [];
  for (const p of paths) {
    for (const file of await expand(p)) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new ManifestError(`${file}: ${(e as Error).message}`);
      }
      out.push(...parseManifestText(text, file));
    }
  }
  return out;
}
