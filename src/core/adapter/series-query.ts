// What a rule's seriesQuery tells us offline. The adapter sends it verbatim to Prometheus' /api/v1/series
// (pkg/custom-provider/periodic_metric_lister.go), so it is a PromQL series selector:
// `name{l="v", l!="", l=~"re", l!~"re"}` or `{__name__=~"re", ...}`. Offline we can know (a) the metric
// names it selects when they are spelled out, and (b) the labels every selected series carries (a matcher
// that rejects the empty value, since Prometheus treats a missing label as ""). Anything unreadable is
// "unknowable", never an exception: the rule set must still load.
import { compileGoRegexp } from './go-regexp.js';

export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface SeriesQueryInfo {
  /** the exact metric names selected, or null when unknowable offline (regex on __name__, no name at all, unparseable) */
  names: string[] | null;
  /** when names is null: why, for messages */
  namesUnknownBecause: string;
  /** the __name__ regex when the name is selected by a regex PromQL anchors as ^(?:re)$ */
  nameRegex: string | null;
  /** labels every selected series has with a non-empty value */
  present: Set<string>;
  /** labels no selected series has (matchers that accept only the empty value, e.g. `l=""`) */
  absent: Set<string>;
  matchers: LabelMatcher[];
  /** false when the query could not be read */
  parsed: boolean;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

class Scanner {
  i = 0;
  constructor(readonly s: string) {}
  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }
  eat(t: string): boolean {
    this.ws();
    if (this.s.startsWith(t, this.i)) {
      this.i += t.length;
      return true;
    }
    return false;
  }
  re(r: RegExp): string | null {
    this.ws();
    const m = r.exec(this.s.slice(this.i));
    if (!m) return null;
    this.i += m[0].length;
    return m[0];
  }
  /** a PromQL string literal: "..." or '...' with Go escapes, or `raw` */
  str(): string | null {
    this.ws();
    const q = this.s[this.i];
    if (q !== '"' && q !== "'" && q !== '`') return null;
    let j = this.i + 1;
    let out = '';
    while (j < this.s.length && this.s[j] !== q) {
      const c = this.s[j]!;
      if (c === '\\' && q !== '`') {
        const n = this.s[j + 1];
        if (n === undefined) return null;
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
        if (n in simple) {
          out += simple[n];
          j += 2;
          continue;
        }
        const hex = /^(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3})/.exec(this.s.slice(j + 1));
        if (!hex) return null;
        const h = hex[0];
        out += String.fromCodePoint(h[0] === 'x' || h[0] === 'u' || h[0] === 'U' ? parseInt(h.slice(1), 16) : parseInt(h, 8));
        j += 1 + h.length;
        continue;
      }
      out += c;
      j++;
    }
    if (j >= this.s.length) return null;
    this.i = j + 1;
    return out;
  }
  done(): boolean {
    this.ws();
    return this.i >= this.s.length;
  }
}

/** Does the PromQL regex (fully anchored) accept the empty string? null when it does not compile. */
function regexAcceptsEmpty(re: string): boolean | null {
  try {
    return compileGoRegexp(`^(?:${re})$`).matchString('');
  } catch {
    return null;
  }
}

/**
 * The literal alternatives of a regex like `a|b_total|c:d`, `^(?:a|b)$` or `(a|b)`; null when it has any
 * regex operator (then the selected names are unknowable without Prometheus).
 */
export function literalAlternatives(re: string): string[] | null {
  let s = re;
  if (s.startsWith('^')) s = s.slice(1);
  if (s.endsWith('$') && !s.endsWith('\\$')) s = s.slice(0, -1);
  const group = /^\((?:\?:)?(.*)\)$/s.exec(s);
  if (group && balanced(group[1]!)) s = group[1]!;
  const out: string[] = [];
  for (const alt of s.split('|')) {
    let lit = '';
    for (let i = 0; i < alt.length; i++) {
      const c = alt[i]!;
      if (c === '\\') {
        const n = alt[i + 1];
        if (n === undefined || /[A-Za-z0-9]/.test(n)) return null;
        lit += n;
        i++;
      } else if (/[A-Za-z0-9_:]/.test(c)) lit += c;
      else return null;
    }
    out.push(lit);
  }
  return out;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function unknowable(reason: string, matchers: LabelMatcher[] = []): SeriesQueryInfo {
  return { names: null, namesUnknownBecause: reason, nameRegex: null, present: new Set(), absent: new Set(), matchers, parsed: false };
}

export function parseSeriesQuery(query: string): SeriesQueryInfo {
  const sc = new Scanner(query);
  let name: string | null = sc.re(METRIC_NAME);
  const matchers: LabelMatcher[] = [];
  if (sc.eat('{')) {
    while (!sc.eat('}')) {
      // Prometheus 3 also accepts quoted names: {"metric.name", "label.x"="v"}
      const quoted = sc.str();
      const label = quoted ?? sc.re(LABEL_NAME);
      if (label === null) return unknowable(`the seriesQuery '${query}' is not a series selector this checker can read`, matchers);
      const op = sc.re(/^(=~|!~|!=|=)/) as LabelMatcher['op'] | null;
      if (op === null) {
        if (quoted === null || name !== null) return unknowable(`the seriesQuery '${query}' is not a series selector this checker can read`, matchers);
        name = quoted; // a bare quoted string inside the braces is the metric name
      } else {
        const value = sc.str();
        if (value === null) return unknowable(`the seriesQuery '${query}' is not a series selector this checker can read`, matchers);
        matchers.push({ label, op, value });
      }
      if (!sc.eat(',')) {
        if (!sc.eat('}')) return unknowable(`the seriesQuery '${query}' is not a series selector this checker can read`, matchers);
        break;
      }
    }
  }
  if (!sc.done() || (name === null && matchers.length === 0)) {
    return unknowable(`the seriesQuery '${query}' is not a single series selector this checker can read`, matchers);
  }

  const present = new Set<string>();
  const absent = new Set<string>();
  let names: string[] | null = name !== null ? [name] : null;
  let nameRegex: string | null = null;
  let reason = '';
  for (const m of matchers) {
    if (m.label === '__name__') {
      if (m.op === '=' && names === null) names = [m.value];
      else if (m.op === '=~' && names === null) {
        const lits = literalAlternatives(m.value);
        if (lits) names = [...new Set(lits)];
        else {
          nameRegex = m.value;
          reason = `its seriesQuery selects metric names by the regex '${m.value}', which only Prometheus can expand`;
        }
      }
      continue;
    }
    let acceptsEmpty: boolean | null;
    switch (m.op) {
      case '=':
        acceptsEmpty = m.value === '';
        if (m.value === '') absent.add(m.label);
        break;
      case '!=':
        acceptsEmpty = m.value !== '';
        break;
      case '=~':
        acceptsEmpty = regexAcceptsEmpty(m.value);
        if (acceptsEmpty && literalAlternatives(m.value)?.every((l) => l === '')) absent.add(m.label);
        break;
      case '!~': {
        const r = regexAcceptsEmpty(m.value);
        acceptsEmpty = r === null ? null : !r;
        break;
      }
    }
    if (acceptsEmpty === false) present.add(m.label);
  }
  if (names === null && !reason) reason = `its seriesQuery '${query}' does not name a metric (it selects every series with those labels)`;
  return { names, namesUnknownBecause: reason, nameRegex, present, absent, matchers, parsed: true };
}
