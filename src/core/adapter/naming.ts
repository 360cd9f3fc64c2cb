// A rule's metric namer: pkg/naming/metric_namer.go NamersFromConfig / FilterSeries / MetricNameForSeries.
// seriesFilters and name.matches become ReMatchers (is / isNot), name.matches is also the extraction regex,
// and the API name is ExpandString of the `as` template only (unanchored FindStringSubmatchIndex).
import type { DiscoveryRule, RegexFilter } from './config.js';
import { compileGoRegexp, type GoRegexp, templateRefs } from './go-regexp.js';

export interface ReMatcher {
  re: GoRegexp;
  positive: boolean;
  /** where it came from, for messages: "seriesFilters[1] isNot '…'" or "name.matches '…'" */
  origin: string;
}

/** pkg/naming/metric_namer.go NewReMatcher: exactly one of is / isNot. Throws with the adapter's message. */
export function newReMatcher(cfg: RegexFilter, origin: string): ReMatcher {
  if (cfg.is !== '' && cfg.isNot !== '') {
    throw new Error(`cannot have both an \`is\` (${JSON.stringify(cfg.is)}) and \`isNot\` (${JSON.stringify(cfg.isNot)}) expression in a single filter`);
  }
  if (cfg.is === '' && cfg.isNot === '') throw new Error('must have either an `is` or `isNot` expression in a filter');
  const positive = cfg.is !== '';
  const raw = positive ? cfg.is : cfg.isNot;
  try {
    return { re: compileGoRegexp(raw), positive, origin };
  } catch (e) {
    throw new Error(`unable to compile series filter ${JSON.stringify(raw)}: ${(e as Error).message}`);
  }
}

export function reMatches(m: ReMatcher, value: string): boolean {
  return m.re.matchString(value) === m.positive;
}

export interface MetricNamer {
  seriesQuery: string;
  matchers: ReMatcher[];
  nameMatches: GoRegexp;
  nameAs: string;
  /** true when `as` was defaulted ($0 / $1) */
  defaultedAs: boolean;
}

/** NamersFromConfig's naming part for one rule; throws with the adapter's message (caller prefixes the rule). */
export function compileNamer(rule: DiscoveryRule): MetricNamer {
  const q = JSON.stringify(rule.seriesQuery);
  const matchers: ReMatcher[] = rule.seriesFilters.map((f, i) => {
    try {
      return newReMatcher(f, `seriesFilters[${i}] ${f.is !== '' ? `is '${f.is}'` : `isNot '${f.isNot}'`}`);
    } catch (e) {
      throw new Error(`unable to generate series name filter associated with series query ${q}: ${(e as Error).message}`);
    }
  });
  let nameMatches: GoRegexp;
  if (rule.name.matches !== '') {
    try {
      matchers.push(newReMatcher({ is: rule.name.matches, isNot: '' }, `name.matches '${rule.name.matches}'`));
      nameMatches = compileGoRegexp(rule.name.matches);
    } catch (e) {
      throw new Error(`unable to generate series name filter from name rules associated with series query ${q}: ${(e as Error).message}`);
    }
  } else {
    nameMatches = compileGoRegexp('.*'); // "this will always succeed"
  }
  let nameAs = rule.name.as;
  let defaultedAs = false;
  if (nameAs === '') {
    // check if we have an obvious default
    const n = nameMatches.subexpNames.length;
    if (n === 1) nameAs = '$0';
    else if (n === 2) nameAs = '$1';
    else throw new Error(`must specify an 'as' value for name matcher ${JSON.stringify(rule.name.matches)} associated with series query ${q}`);
    defaultedAs = true;
  }
  return { seriesQuery: rule.seriesQuery, matchers, nameMatches, nameAs, defaultedAs };
}

export type NameResult = { ok: true; name: string } | { ok: false; reason: string };

/** FilterSeries then MetricNameForSeries for one series name. */
export function metricNameForSeries(namer: MetricNamer, seriesName: string): NameResult {
  for (const m of namer.matchers) {
    if (!reMatches(m, seriesName)) return { ok: false, reason: `series ${seriesName} is dropped by ${m.origin}` };
  }
  const match = namer.nameMatches.findStringSubmatchIndex(seriesName);
  if (!match) return { ok: false, reason: `series name ${JSON.stringify(seriesName)} did not match expected pattern ${JSON.stringify(namer.nameMatches.source)}` };
  return { ok: true, name: namer.nameMatches.expandString(namer.nameAs, seriesName, match) };
}

/**
 * Can some series name produce `wanted` through this `as` template? Exact only for templates without group
 * references; otherwise a necessary condition (literal parts of the template in order), so "maybe".
 */
export function couldProduce(namer: MetricNamer, wanted: string): boolean {
  const refs = templateRefs(namer.nameAs);
  // Stryker disable next-line ConditionalExpression: a fast path — without references the loop below builds the same anchored literal pattern
  if (refs.length === 0) return namer.nameAs.replace(/\$\$/g, '$') === wanted;
  // Build an anchored JS regex: literal pieces must appear, each reference may expand to anything.
  let pattern = '^';
  let t = namer.nameAs;
  for (const r of refs) {
    const k = t.indexOf(r.text);
    pattern += escapeRe(t.slice(0, k).replace(/\$\$/g, '$')) + '[\\s\\S]*';
    t = t.slice(k + r.text.length);
  }
  pattern += escapeRe(t.replace(/\$\$/g, '$')) + '$';
  // Stryker disable next-line StringLiteral: without the u flag the escaped pattern matches the same strings (literal astral characters are matched as their two code units either way)
  return new RegExp(pattern, 'u').test(wanted);
}

// Only the syntax characters (and "/"): with the u flag, an escaped "-" outside a class is a SyntaxError,
// which made every lookup throw for a rule whose `as` template held a dash ("gpu-${1}").
function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** Suspicious-but-valid `as` templates (Go's greedy `$name` reading); one message per problem. */
export function asTemplateWarnings(namer: MetricNamer): string[] {
  const out: string[] = [];
  const names = namer.nameMatches.subexpNames;
  const groups = names.length - 1;
  for (const r of templateRefs(namer.nameAs)) {
    if (r.num >= 0) {
      if (r.num > groups)
        out.push(`name.as ${JSON.stringify(namer.nameAs)} uses ${r.text} but name.matches ${JSON.stringify(namer.nameMatches.source)} has ${groups} capture group(s): it expands to ""`);
      continue;
    }
    if (names.includes(r.name)) continue;
    const digits = /^(\d+)(.+)$/.exec(r.name);
    if (digits && !r.braced) {
      out.push(`name.as ${JSON.stringify(namer.nameAs)}: Go reads ${r.text} as the group named "${r.name}", which does not exist, so it expands to "" — write \${${digits[1]}}${digits[2]}`);
    } else {
      out.push(`name.as ${JSON.stringify(namer.nameAs)} refers to group "${r.name}", which name.matches ${JSON.stringify(namer.nameMatches.source)} does not define: it expands to ""`);
    }
  }
  return out;
}
