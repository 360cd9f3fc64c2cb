// docs/rules.md, generated from the rules registry (src/core/rules/registry.ts): `npm run docs:rules`
// writes it; test/core/rules/registry.test.ts fails when the file in the repository is not what this
// script would write.
//
// Usage: node --import tsx scripts/docs-rules.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { RULES } from '../src/core/rules/registry.js';
import { STAGES, type Rule } from '../src/core/rules/types.js';

export const RULES_DOC = fileURLToPath(new URL('../docs/rules.md', import.meta.url));

const HEADER = `# Rules

<!-- Generated from src/core/rules/registry.ts by \`npm run docs:rules\`: do not edit by hand. -->

Every check the webhook makes is one entry of the rules registry, \`src/core/rules/registry.ts\`. The
engine (\`src/core/engine.ts\`) calls no rule by name: it walks the registry for the kind and endpoint
under review, stage by stage, in the order below. Each violation carries a **reason code**: the
\`reason\` of the AdmissionReview's \`status.details.causes\`, the \`reason\` label of
\`gpu_hpa_webhook_admission_denials_total\`, the \`reasons\` of the review log line and the \`[code]\` of
\`check\` output.

**Origin.** \`api-server\`: the API server would refuse the object anyway, so the webhook always denies
(saying so first is the point of \`check\`). \`policy\`: the policy's \`enforcement\` decides — \`deny\`,
or \`warn\`, which allows the object with a warning \`<code>: <message>\`.

**Stages.** \`request\` (the review itself), then for an opted-in Deployment \`shape\`, \`settings\` (the
annotations read into settings) and \`gate\`; a violation in any of these ends the review. Then \`judge\`:
every check of the endpoint runs and the findings add up.

## Adding a rule

1. Write \`src/core/rules/<rule-name>.ts\` exporting one entry: its reason codes (\`const codes = { 'my-code':
   'one line' } as const\`), then \`export const myRule: Coded<HpaRule, typeof codes> = { name, description,
   origin, stage, kinds, endpoints, codes, source?, run }\` (\`DeploymentRule\` for a Deployment;
   \`src/core/rules/types.ts\` says what \`run\` receives in each stage). \`run\` returns
   \`{ violations, warnings?, patch? }\`; a violation's \`reason\` must be one of the registry's codes,
   or the project does not typecheck.
2. Add the entry to \`ENTRIES\` in \`src/core/rules/registry.ts\`, where it should run.
3. \`npm run docs:rules\` to regenerate this page, and a unit test of the rule in \`test/core/\`.
`;

const code = (s: string) => `\`${s}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|');

function ruleRow(r: Rule): string {
  const codes = Object.keys(r.codes);
  return `| ${code(r.name)} | ${r.stage} | ${r.endpoints.join(', ')} | ${r.origin} | ${codes.length > 0 ? codes.map(code).join(', ') : '—'} | ${cell(r.description)}${r.source ? ` — ${cell(r.source)}` : ''} |`;
}

/** The page as Prettier formats it (`npm run lint` checks docs/ with prettier --check). */
export async function renderRules(): Promise<string> {
  const options = (await prettier.resolveConfig(RULES_DOC)) ?? {};
  return prettier.format(rawRules(), { ...options, parser: 'markdown' });
}

function rawRules(): string {
  const out = [HEADER];
  for (const kind of ['Deployment', 'HorizontalPodAutoscaler'] as const) {
    out.push(`## ${kind}\n`, '| Rule | Stage | Endpoints | Origin | Reason codes | What it checks |', '| --- | --- | --- | --- | --- | --- |');
    const rules = RULES.filter((r) => (r.kinds as readonly string[]).includes(kind));
    for (const stage of STAGES) for (const r of rules.filter((x) => x.stage === stage)) out.push(ruleRow(r));
    out.push('');
  }
  out.push('## Reason codes\n', '| Code | Origin | Rules | Meaning |', '| --- | --- | --- | --- |');
  const byCode = new Map<string, { origin: string; rules: string[]; meaning: string }>();
  for (const r of RULES) {
    for (const [c, meaning] of Object.entries(r.codes)) {
      const had = byCode.get(c);
      if (had) had.rules.push(r.name);
      else byCode.set(c, { origin: r.origin, rules: [r.name], meaning });
    }
  }
  for (const [c, e] of [...byCode].sort(([a], [b]) => a.localeCompare(b))) out.push(`| ${code(c)} | ${e.origin} | ${e.rules.map(code).join(', ')} | ${cell(e.meaning)} |`);
  return out.join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await renderRules();
  if (process.argv.includes('--check')) {
    const current = readFileSync(RULES_DOC, 'utf8');
    if (current !== text) {
      process.stderr.write('docs/rules.md is not current: run npm run docs:rules\n');
      process.exit(1);
    }
  } else {
    writeFileSync(RULES_DOC, text);
    process.stdout.write(`wrote ${RULES_DOC}\n`);
  }
}
