// The contract between the prometheus-adapter rule engine (src/core/adapter/*) and the validators.
// A rule set is compiled once at load time (like prometheus-adapter's NamersFromConfig) and is
// immutable; admission only calls lookup().

/** A Kubernetes group-resource in the adapter's canonical form: plural, lowercase (core group is ""). */
export interface GroupResource {
  group: string;
  resource: string;
}

/** The three HPA metric sources the adapter serves. Pods/Object → `rules`, External → `externalRules`. */
export type MetricKind = 'Pods' | 'Object' | 'External';

export interface MetricRequest {
  kind: MetricKind;
  /** metric name as the HPA asks for it (spec.metrics[i].pods.metric.name, ...) */
  name: string;
  /**
   * The resource the HPA asks about: Pods → {group:"", resource:"pods"}; Object → the describedObject's
   * group-resource (see resourceForKind); External → undefined.
   */
  resource?: GroupResource;
  /** whether the HPA controller's query is namespaced (Pods and namespaced Objects: true) */
  namespaced: boolean;
  /**
   * The HPA's namespace, when known: the one its controller asks the adapter about (a Namespace Object metric
   * too). Live discovery then checks the adapter would find series there, not only that it registers the name.
   */
  namespace?: string;
  /**
   * A Pods metric: the names of the pods the HPA controller asks the adapter about — its target's pods, those its
   * selector matches in the namespace (podautoscaler/metrics/client.go GetRawMetric) — when the caller knows them.
   * Live discovery then checks the adapter's query would return a series for one of them, not only for the namespace.
   */
  pods?: readonly string[];
}

/** Identifies a rule in the config, for messages: "rules[2] (seriesQuery 'DCGM_FI_DEV_GPU_UTIL{...}')". */
export interface RuleRef {
  list: 'rules' | 'externalRules';
  index: number;
  seriesQuery: string;
}

export type MetricVerdict =
  /** at least one rule derives this name and associates the requested resource */
  | { status: 'served'; rules: RuleRef[]; notes: string[] }
  /**
   * no rule provably serves it, but a rule whose served names or labels cannot be known offline
   * (seriesQuery selecting __name__ by regex, ...) might: allow with a warning.
   */
  | { status: 'unverifiable'; rules: RuleRef[]; reason: string; notes?: string[] }
  /**
   * nothing serves it. explanation says why per rule considered (name derived differently, name served
   * but without the pod resource, without a namespace label, ...); nearest = served names closest to the ask.
   */
  | {
      status: 'not-served';
      considered: RuleRef[];
      explanation: string;
      nearest: string[];
      /**
       * Live discovery (live.ts) knows more than the config: a rule could serve the metric but Prometheus has no
       * series for it, or the series carry no label for the resource asked about. Its own reason code and sentence.
       */
      live?: {
        reason: 'metric-no-series' | 'metric-series-unassociated' | 'metric-not-listed';
        message: string;
        /**
         * The adapter does register (and list) the metric; its query for this HPA returns nothing (live.ts valueFor).
         * The adapter's own listing (listed.ts) cannot overturn such a verdict: it knows names, not values.
         */
        registered?: true;
        /**
         * metric-no-series for a Pods metric: its series would come from the target's own pods, so "no series" is
         * final only once they run (issue 18; validate/hpa-metrics.ts decides with the target's pods).
         */
        beforePods?: {
          /** the verdict from the adapter config alone: what applies while the pods do not run yet */
          offline: MetricVerdict;
          /** why each rule got no series ("rules[0]'s seriesQuery '…' matches no series in Prometheus …") */
          detail: string;
          /** the pass looked at series with samples since then (ms since the epoch) */
          windowStart: number;
          /** how the denial ends when the pods have run (default: the adapter registers no such metric) */
          conclusion?: string;
        };
      };
      /** warnings whatever the outcome (e.g. live discovery is stale, so this is the offline verdict) */
      notes?: string[];
    };

export interface AdapterRuleSet {
  /** where the rules came from (file path, "embedded default", configmap ns/name) */
  readonly source: string;
  /** suspicious-but-valid things in the config, one sentence each naming the rule (check, serve and audit report them) */
  readonly warnings?: readonly string[];
  lookup(req: MetricRequest): MetricVerdict;
  /** every metric name the list provably serves (for suggestions and for `check` output) */
  servedNames(list: 'rules' | 'externalRules'): string[];
}
