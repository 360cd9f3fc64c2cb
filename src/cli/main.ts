#!/usr/bin/env node
// gpu-hpa-webhook: serve | check | render | certs. Exit codes: 0 all allowed, 1 something denied,
// 2 usage or configuration error (a bad flag, an unreadable or invalid policy / adapter config / manifest).
import { Command, CommanderError, Option } from 'commander';
import { AdapterConfigError } from '../core/adapter/config.js';
import { PolicyError } from '../core/policy/schema.js';
import { loadAdapterRules } from '../loaders/adapter-rules.js';
import { ManifestError, readManifestFiles, readManifests } from '../loaders/manifests.js';
import { loadPolicy } from '../loaders/policy.js';
import { emptyInput, formatCheckText, runCheck } from './check.js';
import { renderYaml, runRender } from './render.js';

export const EXIT = { ok: 0, denied: 1, usage: 2 } as const;

class UsageError extends Error {}

function parsePort(v: string, flag = '--port'): number {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || n < 1 || n > 65535) throw new UsageError(`${flag} "${v}": must be an integer between 1 and 65535`);
  return n;
}

async function loadConfig(opts: { policy?: string; adapterConfig?: string }) {
  const [policy, rules] = await Promise.all([loadPolicy(opts.policy), loadAdapterRules(opts.adapterConfig)]);
  return { policy, rules };
}

/** --prometheus-url: a usage error when it is not an http(s) URL. */
async function prometheusTarget(url: string) {
  const { parsePrometheusUrl } = await import('../discovery/index.js');
  try {
    return parsePrometheusUrl(url);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function outputOption() {
  return new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');
}

/** The configuration to judge by: every command that decides takes these. */
function configOptions(cmd: Command): Command {
  return cmd
    .option('--policy <file>', 'policy YAML (default: the embedded policies/default.yaml)')
    .option(
      '--adapter-config <file>',
      "prometheus-adapter config file, or the prometheus-community chart's values (rules.custom, rules.external, rules.default) (default: policies/prometheus-adapter-rules.yaml)",
    );
}

/** The options `check` and `render` share: the configuration, a default namespace, the output. */
function offlineOptions(cmd: Command): Command {
  return configOptions(cmd).option('-n, --namespace <ns>', 'namespace for objects that name none', 'default').addOption(outputOption());
}

export function buildProgram(state: { code: number } = { code: 0 }): Command {
  const program = new Command('gpu-hpa-webhook')
    .description('Admission webhook that opts GPU Deployments into safe autoscaling on GPU metrics')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const serve = program
    .command('serve')
    .description('serve /mutate and /validate over HTTPS')
    .option('--port <port>', 'HTTPS port (reviews, /healthz, /readyz)', '8443')
    .option('--metrics-port <port>', 'plain-HTTP port for GET /metrics (kept off the review port)', '8080')
    .option(
      '--client-ca <file>',
      "PEM CA: /mutate and /validate then require a client certificate it signed (the API server's, from its AdmissionConfiguration kubeConfigFile); /healthz and /readyz stay open for the kubelet's probes",
    )
    .option('--host <address>', 'address to listen on', '0.0.0.0');
  configOptions(serve)
    .option('--adapter-configmap <ns/name[:key]>', 'prometheus-adapter config from a ConfigMap, read and watched through the API (key default config.yaml)')
    .option('--tls-cert <file>', 'serving certificate (PEM); reloaded when it changes')
    .option('--tls-key <file>', 'serving key (PEM); reloaded when it changes')
    .addOption(
      new Option(
        '--cert-mode <mode>',
        'in a cluster: serve the certificate of the Secret --cert-secret, written by the leader (self-managed: a CA, caBundle of both webhook configurations, rotation), by cert-manager, or by you (secret); unset: --tls-cert/--tls-key or --cert-dir',
      ).choices(['self-managed', 'cert-manager', 'secret']),
    )
    .option('--cert-secret <name>', 'the certificate Secret (in --namespace) for --cert-mode', 'gpu-hpa-webhook-tls')
    .option('--mutating-webhook-configuration <name>', 'the MutatingWebhookConfiguration whose caBundle --cert-mode self-managed/secret keeps', 'gpu-hpa-webhook')
    .option('--validating-webhook-configuration <name>', 'the ValidatingWebhookConfiguration whose caBundle (and HPA failurePolicy) --cert-mode keeps', 'gpu-hpa-webhook')
    .addOption(
      new Option('--hpa-failure-policy <policy>', 'failurePolicy HPA validation gets once caBundle trusts the served certificate (the manifests ship it Ignore until then)')
        .choices(['Fail', 'Ignore'])
        .default('Fail'),
    )
    .option('--cert-propagation-delay <duration>', 'how long a written caBundle or Secret is given to reach every API server and replica before the next rotation step', '1m')
    .option('--cert-dir <dir>', 'where a self-signed CA and certificate are generated and reused when --tls-cert/--tls-key are not given', 'certs')
    .option('--service <name>', 'Service name for the generated certificate', 'gpu-hpa-webhook')
    .option('--namespace <ns>', 'Service namespace for the generated certificate', 'gpu-hpa-webhook')
    .option('--kubeconfig <file>', 'kubeconfig (else in-cluster); used for cluster lookups')
    .option('--prometheus-url <url>', "Prometheus the adapter reads: each rule's seriesQuery is checked against the series it really has")
    .option('--discovery-interval <duration>', "how often series discovery runs (like the adapter's --metrics-relist-interval)", '1m')
    .option('--adapter-api', "also ask prometheus-adapter's own discovery (custom/external metrics APIs) through the API server, and prefer its answer")
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (o) => {
      const { parseDuration } = await import('../discovery/index.js');
      const interval = parseDuration(o.discoveryInterval);
      if (interval === undefined || interval < 1000) throw new UsageError(`--discovery-interval "${o.discoveryInterval}": a duration of at least 1s (e.g. 30s, 1m, 1m30s)`);
      if (o.prometheusUrl) await prometheusTarget(o.prometheusUrl);
      if (o.adapterApi && !o.kubeconfig && !process.env.KUBERNETES_SERVICE_HOST) throw new UsageError('--adapter-api needs a cluster: give --kubeconfig, or run in a pod');
      const propagation = parseDuration(o.certPropagationDelay);
      if (propagation === undefined) throw new UsageError(`--cert-propagation-delay "${o.certPropagationDelay}": a duration (e.g. 30s, 1m)`);
      if (o.certMode !== undefined) {
        if (o.tlsCert || o.tlsKey) throw new UsageError(`--cert-mode ${o.certMode} serves the Secret --cert-secret: leave out --tls-cert/--tls-key`);
        if (!o.kubeconfig && !process.env.KUBERNETES_SERVICE_HOST) throw new UsageError(`--cert-mode ${o.certMode} reads the Secret through the API: give --kubeconfig, or run in a pod`);
      }
      if (Boolean(o.tlsCert) !== Boolean(o.tlsKey)) throw new UsageError('--tls-cert and --tls-key go together: give both or neither');
      if (o.adapterConfig && o.adapterConfigmap) throw new UsageError('--adapter-config and --adapter-configmap: give one or the other');
      if (o.adapterConfigmap) {
        if (!o.kubeconfig && !process.env.KUBERNETES_SERVICE_HOST) throw new UsageError('--adapter-configmap needs a cluster: give --kubeconfig, or run in a pod');
        const { parseConfigMapRef } = await import('../controller/adapter-configmap.js');
        try {
          parseConfigMapRef(o.adapterConfigmap);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
      }
      const { serve } = await import('./serve.js');
      const port = parsePort(o.port);
      const metricsPort = parsePort(o.metricsPort, '--metrics-port');
      if (metricsPort === port) throw new UsageError(`--metrics-port ${metricsPort} is the review port (--port): give /metrics a port of its own`);
      await serve({ ...o, port, metricsPort, discoveryIntervalMs: interval, certPropagationMs: propagation });
    });

  const check = program
    .command('check')
    .description('mutate and validate manifests offline, as the webhook would; exit 1 if any is denied')
    .requiredOption('-f, --filename <path...>', 'files or directories of YAML/JSON manifests')
    .option('--prometheus-url <url>', "also check each rule's seriesQuery against the series this Prometheus has (one discovery pass)");
  offlineOptions(check).action(async (o) => {
    const loaded = await loadConfig(o);
    const { policy } = loaded;
    let rules = loaded.rules;
    if (o.prometheusUrl) {
      const target = await prometheusTarget(o.prometheusUrl);
      const { discoverOnce } = await import('../discovery/index.js');
      const live = await discoverOnce(rules, target);
      rules = live.rules;
      // the verdicts fall back to the adapter config alone (each says so); the exit code follows them
      if (live.state.error) process.stderr.write(`warning: series discovery failed, judging by the adapter config alone: ${live.state.error}\n`);
    }
    // a file that cannot be read is reported (in the report, as JSON with -o json) and the rest are checked
    const read = await readManifestFiles(o.filename);
    // an input with nothing in it is a usage error (exit 2), reported like an unreadable file (also with -o json)
    const empty = emptyInput(o.filename, read);
    const report = { ...runCheck(read.entries, policy, rules, o.namespace), errors: empty ? [...read.errors, empty] : read.errors };
    process.stdout.write(o.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatCheckText(report, process.stdout.isTTY === true) + '\n');
    state.code = report.errors.length > 0 ? EXIT.usage : report.summary.denied > 0 ? EXIT.denied : EXIT.ok;
  });

  const render = program.command('render').description('print the mutated Deployment and its managed HPA as YAML').requiredOption('-f, --filename <path...>', 'Deployment manifests');
  offlineOptions(render).action(async (o) => {
    const { policy, rules } = await loadConfig(o);
    const r = runRender(await readManifests(o.filename), policy, rules, o.namespace);
    for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
    for (const e of r.errors) process.stderr.write(`denied: ${e.source}:\n  ${e.messages.join('\n  ')}\n`);
    if (r.documents.length > 0) process.stdout.write(o.output === 'json' ? JSON.stringify(r.documents, null, 2) + '\n' : renderYaml(r.documents));
    state.code = r.errors.length > 0 ? EXIT.denied : EXIT.ok;
  });

  const audit = program
    .command('audit')
    .description('every HPA and opted-in Deployment in the cluster with the verdict it would get now under enforcement deny, grouped by reason; exit 1 if any would be denied')
    .requiredOption('--kubeconfig <file>', 'kubeconfig of the cluster to audit')
    .option('--adapter-configmap <ns/name[:key]>', 'prometheus-adapter config from this ConfigMap (default: monitoring/prometheus-adapter, what the shipped install reads)')
    .option('--timeout <duration>', 'how long to wait for the API server to list the objects', '60s');
  configOptions(audit)
    .addOption(outputOption())
    .action(async (o) => {
      if (o.adapterConfig && o.adapterConfigmap) throw new UsageError('--adapter-config and --adapter-configmap: give one or the other');
      const { parseDuration } = await import('../discovery/index.js');
      const timeoutMs = parseDuration(o.timeout);
      if (timeoutMs === undefined || timeoutMs < 1000) throw new UsageError(`--timeout "${o.timeout}": a duration of at least 1s (e.g. 30s, 2m)`);
      const { runAudit, formatAuditText } = await import('./audit.js');
      const policy = await loadPolicy(o.policy);
      const rules = o.adapterConfig ? await loadAdapterRules(o.adapterConfig) : undefined;
      const report = await runAudit({ kubeconfig: o.kubeconfig, policy, rules, adapterConfigmap: o.adapterConfigmap, timeoutMs });
      process.stdout.write(o.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatAuditText(report, process.stdout.isTTY === true) + '\n');
      state.code = report.summary.denied > 0 ? EXIT.denied : EXIT.ok;
    });

  program
    .command('certs')
    .description('generate a CA, a serving certificate, and the webhook configurations with caBundle filled')
    .option('--service <name>', 'webhook Service name', 'gpu-hpa-webhook')
    .option('--namespace <ns>', 'webhook Service namespace', 'gpu-hpa-webhook')
    .requiredOption('--out <dir>', 'output directory')
    .addOption(outputOption())
    .action(async (o) => {
      const { runCerts, formatCertsResult } = await import('./certs.js');
      const result = await runCerts({ service: o.service, namespace: o.namespace, outDir: o.out });
      process.stdout.write(o.output === 'json' ? JSON.stringify(result, null, 2) + '\n' : formatCertsResult(result) + '\n');
    });

  return program;
}

/** Errors a user can fix (flags, files, configuration) exit 2 with a one-paragraph message, no stack. */
function isUsageError(e: unknown): boolean {
  return (
    e instanceof UsageError ||
    e instanceof PolicyError ||
    e instanceof AdapterConfigError ||
    e instanceof ManifestError ||
    (e instanceof Error && (e.name === 'TlsFileError' || e.name === 'CertOptionsError' || e.name === 'AuditError' || (e as NodeJS.ErrnoException).code === 'ENOENT'))
  );
}

export async function main(argv: string[]): Promise<number> {
  const state = { code: EXIT.ok as number };
  const program = buildProgram(state);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version are not errors; every other parse error is a usage error
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    if (isUsageError(e)) {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`internal error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.usage;
  }
}

// Run when executed (node dist/cli/main.js, the bin link, or tsx), not when imported by tests.
const invoked = process.argv[1] ? await import('node:fs').then((fs) => fs.realpathSync(process.argv[1]!)) : '';
if (invoked === (await import('node:url')).fileURLToPath(import.meta.url)) {
  const code = await main(process.argv.slice(2));
  // serve keeps running; the others end here
  if (process.argv[2] !== 'serve' || code !== EXIT.ok) process.exitCode = code;
}
