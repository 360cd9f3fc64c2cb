// Loads a prometheus-adapter config file (the file the adapter itself reads) into a compiled rule set.
import { readFile } from 'node:fs/promises';
import { compileAdapterConfig } from '../core/adapter/registry.js';
import type { AdapterRuleSet } from '../core/adapter/types.js';
import { DEFAULT_ADAPTER_RULES_PATH } from './policy.js';

export { DEFAULT_ADAPTER_RULES_PATH };

export function compileAdapterRulesText(text: string, source: string): AdapterRuleSet {
  return compileAdapterConfig(text, source);
}

export async function loadAdapterRules(path?: string): Promise<AdapterRuleSet> {
  const file = path ?? DEFAULT_ADAPTER_RULES_PATH;
  return compileAdapterConfig(await readFile(file, 'utf8'), path ?? 'embedded DCGM rules (policies/prometheus-adapter-rules.yaml)');
}
