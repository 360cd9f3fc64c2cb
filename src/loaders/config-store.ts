// Holds the configuration in force (policy + adapter rules) and the Engine compiled from it.
// Files are re-read when they change (polling stat, which also sees Kubernetes' ConfigMap symlink swap);
// an invalid new version is refused and the last good one stays in force — /readyz, /metrics and the
// log say so. Parsing and compiling happen here, once per change, never on the admission path.
import { watchFile, unwatchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Engine } from '../core/admission/request.js';
import type { AdapterRuleSet } from '../core/adapter/types.js';
import type { ClusterView } from '../core/cluster.js';
import { emptyClusterView } from '../core/cluster.js';
import { enforcedPolicy } from '../core/audit.js';
import { createEngine } from '../core/engine.js';
import type { Policy } from '../core/policy/schema.js';
import { compileAdapterRulesText, DEFAULT_ADAPTER_RULES_PATH } from './adapter-rules.js';
import { MAX_WARNINGS } from '../core/bounds.js';
import { DEFAULT_POLICY_PATH, parsePolicyText } from './policy.js';

export type SourceName = 'policy' | 'adapter-config';

export interface ReloadListener {
  (source: SourceName, result: 'success' | 'failure', error?: Error): void;
}

interface SourceState<T> {
  name: SourceName;
  path: string;
  label: string;
  parse: (text: string, label: string) => T;
  value?: T;
  lastError?: string;
}

export interface ConfigStoreOptions {
  policyPath?: string;
  adapterConfigPath?: string;
  /** the adapter rules come from elsewhere (a ConfigMap, see controller/adapter-configmap.ts) through
   * setAdapterRulesText: this labels them, and the rules file is neither read nor watched */
  adapterRulesExternal?: string;
  cluster?: ClusterView;
  logger?: Logger;
  onReload?: ReloadListener;
  /** stat polling interval for reloads (ms) */
  pollMs?: number;
}

export class ConfigStore {
  private readonly policy: SourceState<Policy>;
  private readonly rules: SourceState<AdapterRuleSet>;
  private compiled?: Engine;
  /** the same configuration under enforcement deny: what the audit reports (core/audit.ts) */
  private audited?: Engine;
  private rulesOverlay?: (rules: AdapterRuleSet) => AdapterRuleSet;
  private cluster: ClusterView;
  private watching: string[] = [];

  constructor(private readonly opts: ConfigStoreOptions = {}) {
    this.cluster = opts.cluster ?? emptyClusterView;
    this.policy = {
      name: 'policy',
      path: opts.policyPath ?? DEFAULT_POLICY_PATH,
      label: opts.policyPath ?? 'embedded default policy (policies/default.yaml)',
      parse: parsePolicyText,
    };
    this.rules = {
      name: 'adapter-config',
      path: opts.adapterConfigPath ?? DEFAULT_ADAPTER_RULES_PATH,
      label: opts.adapterConfigPath ?? 'embedded DCGM rules (policies/prometheus-adapter-rules.yaml)',
      parse: compileAdapterRulesText,
    };
  }

  /** First load: any error is thrown (the process should not start on a bad configuration). */
  async load(): Promise<void> {
    for (const s of this.fileSources() as SourceState<unknown>[]) {
      s.value = s.parse(await readFile(s.path, 'utf8'), s.label);
      this.opts.onReload?.(s.name, 'success');
      if (s.name === 'adapter-config') this.logRuleWarnings();
    }
    this.compiled = undefined;
  }

  /**
   * What is suspicious in the adapter rules whatever an HPA asks (a series dcgm-exporter never exports, a
   * name template that expands to nothing): one warn line per load, so `serve` says what `check` says.
   */
  private logRuleWarnings(): void {
    const warnings = this.rules.value?.warnings ?? [];
    if (warnings.length === 0) return;
    this.opts.logger?.warn({ source: 'adapter-config', from: this.rules.label, count: warnings.length, warnings: warnings.slice(0, MAX_WARNINGS) }, 'adapter rules loaded with warnings');
  }

  /** Re-read one source; on failure keep the last good value. Returns whether the new version took. */
  async reload(name: SourceName): Promise<boolean> {
    const s = (name === 'policy' ? this.policy : this.rules) as SourceState<unknown>;
    try {
      s.value = s.parse(await readFile(s.path, 'utf8'), s.label);
      s.lastError = undefined;
      this.compiled = undefined;
      this.opts.logger?.info({ source: name, path: s.path }, 'configuration reloaded');
      if (name === 'adapter-config') this.logRuleWarnings();
      this.opts.onReload?.(name, 'success');
      return true;
    } catch (e) {
      s.lastError = (e as Error).message;
      this.opts.logger?.error({ source: name, path: s.path, err: s.lastError }, 'configuration reload refused; the last good version stays in force');
      this.opts.onReload?.(name, 'failure', e as Error);
      return false;
    }
  }

  watch(): void {
    const poll = this.opts.pollMs ?? 2000;
    for (const s of this.fileSources()) {
      watchFile(s.path, { interval: poll, persistent: false }, (cur, prev) => {
        if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) void this.reload(s.name);
      });
      this.watching.push(s.path);
    }
  }

  private fileSources(): Array<SourceState<Policy> | SourceState<AdapterRuleSet>> {
    return this.opts.adapterRulesExternal ? [this.policy] : [this.policy, this.rules];
  }

  /** New adapter rules from a non-file source; on failure the last good rules stay. Returns whether they took. */
  setAdapterRulesText(text: string, label = this.opts.adapterRulesExternal ?? 'adapter rules'): boolean {
    try {
      this.rules.value = this.rules.parse(text, label);
      this.rules.label = label;
      this.rules.lastError = undefined;
      this.compiled = undefined;
      this.opts.logger?.info({ source: 'adapter-config', from: label }, 'adapter rules loaded');
      this.logRuleWarnings();
      this.opts.onReload?.('adapter-config', 'success');
      return true;
    } catch (e) {
      this.rules.lastError = (e as Error).message;
      this.opts.logger?.error({ source: 'adapter-config', from: label, err: this.rules.lastError }, 'adapter rules refused; the last good version stays in force');
      this.opts.onReload?.('adapter-config', 'failure', e as Error);
      return false;
    }
  }

  close(): void {
    for (const p of this.watching) unwatchFile(p);
    this.watching = [];
  }

  /** Live series discovery (src/discovery/) wraps the rules in force; set again after every discovery pass. */
  setRulesOverlay(overlay: ((rules: AdapterRuleSet) => AdapterRuleSet) | undefined): void {
    this.rulesOverlay = overlay;
    this.compiled = undefined;
  }

  setCluster(cluster: ClusterView): void {
    this.cluster = cluster;
    this.compiled = undefined;
  }

  /** The Engine of the configuration in force with enforcement deny, for the audit (compiled once per change); undefined until loaded. */
  auditEngine(): Engine | undefined {
    if (!this.policy.value || !this.rules.value) return undefined;
    if (!this.audited || !this.compiled) {
      this.engine(); // rebuilds `compiled` after a change, so `audited` is rebuilt with it
      const rules = this.rulesOverlay ? this.rulesOverlay(this.rules.value) : this.rules.value;
      this.audited = createEngine({ policy: enforcedPolicy(this.policy.value), rules, cluster: this.cluster, admitted: true });
    }
    return this.audited;
  }

  /** The Engine for the configuration in force (compiled once per change). */
  engine(): Engine {
    if (!this.policy.value || !this.rules.value) throw new Error('configuration not loaded');
    if (!this.compiled) {
      const rules = this.rulesOverlay ? this.rulesOverlay(this.rules.value) : this.rules.value;
      this.compiled = createEngine({ policy: this.policy.value, rules, cluster: this.cluster, admitted: true });
      this.audited = undefined;
    }
    return this.compiled;
  }

  current(): { policy?: Policy; rules?: AdapterRuleSet } {
    return { policy: this.policy.value, rules: this.rules.value };
  }

  /** Ready once both are loaded; a refused reload keeps it ready (the last good version serves) but is reported. */
  status(): { ready: boolean; reason?: string; stale: Array<{ source: SourceName; error: string }> } {
    const stale = [this.policy, this.rules].filter((s) => s.lastError).map((s) => ({ source: s.name, error: s.lastError! }));
    if (!this.policy.value) return { ready: false, reason: 'policy not loaded', stale };
    if (!this.rules.value) return { ready: false, reason: 'adapter rules not loaded', stale };
    return { ready: true, stale };
  }
}
