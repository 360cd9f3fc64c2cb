// DCGM series as Prometheus returns them from /api/v1/series after scraping dcgm-exporter: job "dcgm" keeps
// the exporter's pod/namespace (the workload's), job "dcgm-relabelled" was scraped with honor_labels: false
// under ServiceMonitor target labels, so the workload's moved to exported_*. Shared by the hermetic tests.
const gpuLabels = (gpu: string, host: string) => ({
  gpu,
  UUID: `GPU-${host}-${gpu}`,
  device: `nvidia${gpu}`,
  modelName: 'NVIDIA A100-SXM4-40GB',
  Hostname: host,
  DCGM_FI_DRIVER_VERSION: '535.104.05',
});

export const DCGM_FIELDS = ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_MEM_COPY_UTIL', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_POWER_USAGE'];

export function dcgmSeries(fields: string[] = DCGM_FIELDS): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const f of fields) {
    out.push({ __name__: f, ...gpuLabels('0', 'gpu-node-1'), container: 'agent', namespace: 'default', pod: 'gpu-agent-deployment-7d9f8b6c5-abcde', instance: '10.0.0.7:9400', job: 'dcgm' });
    out.push({ __name__: f, ...gpuLabels('1', 'gpu-node-1'), instance: '10.0.0.7:9400', job: 'dcgm' }); // idle GPU: no pod labels
    out.push({
      __name__: f,
      ...gpuLabels('0', 'gpu-node-2'),
      container: 'nvidia-dcgm-exporter',
      namespace: 'gpu-operator',
      pod: 'nvidia-dcgm-exporter-x7k2p',
      exported_container: 'app',
      exported_namespace: 'default',
      exported_pod: 'gpu-hpa-test-5c6d7-xyz12',
      instance: '10.0.0.8:9400',
      job: 'dcgm-relabelled',
    });
  }
  return out;
}

/**
 * A tiny PromQL series-selector evaluator for the selectors the tests use (name, =, !=, =~, !~ with
 * anchored JS regexes), so a fake Prometheus answers like the real one.
 */
export function matchSelector(selector: string, series: Array<Record<string, string>>): Array<Record<string, string>> {
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(.*)\})?\s*$/s.exec(selector);
  if (!m) throw new Error(`fake prometheus: cannot read ${selector}`);
  const matchers: Array<[string, string, string]> = [];
  if (m[1]) matchers.push(['__name__', '=', m[1]]);
  for (const part of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) matchers.push([part[1]!, part[2]!, part[3]!.replace(/\\(.)/g, '$1')]);
  return series.filter((s) =>
    matchers.every(([l, op, v]) => {
      const have = s[l] ?? '';
      if (op === '=') return have === v;
      if (op === '!=') return have !== v;
      const re = new RegExp(`^(?:${v})$`);
      return op === '=~' ? re.test(have) : !re.test(have);
    }),
  );
}
