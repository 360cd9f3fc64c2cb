// Loads the policy file (YAML) or the embedded default policies/default.yaml.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parsePolicy, PolicyError, type Policy } from '../core/policy/schema.js';

/** policies/ at the package root, from src/loaders (tsx) and dist/loaders (compiled) alike. */
export const POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));
export const DEFAULT_POLICY_PATH = `${POLICIES_DIR}default.yaml`;
export const DEFAULT_ADAPTER_RULES_PATH = `${POLICIES_DIR}prometheus-adapter-rules.yaml`;

export function parsePolicyText(text: string, source: string): Policy {
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true, prettyErrors: true });
  } catch (e) {
    throw new PolicyError(source, [`not valid YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
  return parsePolicy(doc, source);
}

export async function loadPolicy(path?: string): Promise<Policy> {
  const file = path ?? DEFAULT_POLICY_PATH;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new PolicyError(file, [`cannot read: ${(e as Error).message}`]);
  }
  return parsePolicyText(text, path ?? `${file} (embedded default)`);
}
