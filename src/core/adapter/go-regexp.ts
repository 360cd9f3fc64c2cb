// Go RE2 (regexp/syntax with syntax.Perl flags, as regexp.Compile uses) translated to a JavaScript RegExp,
// plus Go's Regexp.ExpandString. prometheus-adapter compiles `name.matches` and `seriesFilters` with Go's
// regexp.Compile (pkg/naming/metric_namer.go), so a config is only judged right if its regexes are read
// the way Go reads them: unanchored leftmost-first matching, RE2 syntax (no backreferences, no lookaround),
// Go's `.`/`\s`/`^`/`$` meanings, and Go's own error messages.
//
// The translation is a small recursive-descent parser modelled on golang/go src/regexp/syntax/parse.go;
// every construct is emitted in an explicit form (`.` → `[^\n]`, `^` → a lookbehind, ...) so that the JS
// engine's defaults and flags never change the meaning. Only the `u` and `d` flags are used.

import { memoize } from '../memo.js';

/** A Go regexp compile error; message is exactly Go's `error parsing regexp: <code>: `<expr>``. */
export class GoRegexpError extends Error {
  constructor(
    readonly code: string,
    readonly expr: string,
  ) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
    this.name = 'GoRegexpError';
  }
}

// Error codes: golang/go src/regexp/syntax/parse.go (ErrorCode constants).
const ErrInvalidCharClass = 'invalid character class';
const ErrInvalidCharRange = 'invalid character class range';
const ErrInvalidEscape = 'invalid escape sequence';
const ErrInvalidNamedCapture = 'invalid named capture';
const ErrInvalidPerlOp = 'invalid or unsupported Perl syntax';
const ErrInvalidRepeatOp = 'invalid nested repetition operator';
const ErrInvalidRepeatSize = 'invalid repeat count';
const ErrMissingBracket = 'missing closing ]';
const ErrMissingParen = 'missing closing )';
const ErrMissingRepeatArgument = 'missing argument to repetition operator';
const ErrTrailingBackslash = 'trailing backslash at end of expression';
const ErrUnexpectedParen = 'unexpected )';

interface Flags {
  foldCase: boolean; // (?i)
  oneLine: boolean; // default; (?m) clears it
  dotNL: boolean; // (?s)
  nonGreedy: boolean; // (?U)
}

type Range = [number, number];

const MAX_RUNE = 0x10ffff;

// Perl classes, ASCII only in Go: golang/go src/regexp/syntax/perl_groups.go.
const PERL_CLASSES: Record<string, Range[]> = {
  d: [[0x30, 0x39]],
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
};

// POSIX classes: golang/go src/regexp/syntax/perl_groups.go (posixGroup).
const POSIX_CLASSES: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
    [0x5f, 0x5f],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

function normalize(ranges: Range[]): Range[] {
  const sorted = ranges.filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function negate(ranges: Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

// Characters whose case-fold orbit is larger than lower/upper (golang/go src/unicode/tables.go caseOrbit).
const FOLD_EXTRA: Record<number, number[]> = {
  0x4b: [0x6b, 0x212a],
  0x6b: [0x4b, 0x212a],
  0x212a: [0x4b, 0x6b],
  0x53: [0x73, 0x17f],
  0x73: [0x53, 0x17f],
  0x17f: [0x53, 0x73],
  0xc5: [0xe5, 0x212b],
  0xe5: [0xc5, 0x212b],
  0x212b: [0xc5, 0xe5],
  0x3a3: [0x3c2, 0x3c3],
  0x3c2: [0x3a3, 0x3c3],
  0x3c3: [0x3a3, 0x3c2],
};

/** Code points equivalent to c under Go's simple case folding (approximation: lower/upper + known orbits). */
function foldOrbit(c: number): number[] {
  const set = new Set<number>([c]);
  const s = String.fromCodePoint(c);
  for (const v of [s.toLowerCase(), s.toUpperCase()]) {
    const cp = v.codePointAt(0);
    if (cp !== undefined && [...v].length === 1) set.add(cp);
  }
  for (const e of FOLD_EXTRA[c] ?? []) set.add(e);
  return [...set];
}

function foldRanges(ranges: Range[]): Range[] {
  const out: Range[] = [...ranges];
  for (const [lo, hi] of ranges) {
    // Large non-ASCII ranges are left alone: iterating them would be slow and they rarely matter for metric names.
    const span = hi - lo;
    if (span > 4096) {
      const aLo = Math.max(lo, 0x41);
      const aHi = Math.min(hi, 0x5a);
      if (aLo <= aHi) out.push([aLo + 0x20, aHi + 0x20]);
      const bLo = Math.max(lo, 0x61);
      const bHi = Math.min(hi, 0x7a);
      if (bLo <= bHi) out.push([bLo - 0x20, bHi - 0x20]);
      continue;
    }
    for (let c = lo; c <= hi; c++) for (const f of foldOrbit(c)) if (f !== c) out.push([f, f]);
  }
  return normalize(out);
}

function cp(c: number): string {
  // Alphanumerics stay readable; everything else is escaped so the u-mode parser never sees syntax.
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f) {
    return String.fromCharCode(c);
  }
  return `\\u{${c.toString(16)}}`;
}

function rangesToClassBody(ranges: Range[]): string {
  return normalize(ranges)
    .map(([lo, hi]) => (lo === hi ? cp(lo) : `${cp(lo)}-${cp(hi)}`))
    .join('');
}

/** A class as parsed: explicit ranges plus Unicode property escapes that JS evaluates itself. */
interface ClassParts {
  ranges: Range[];
  props: string[]; // e.g. "\\p{L}", "\\P{Script=Greek}"
}

function classToJs(parts: ClassParts, negated: boolean): string {
  const body = rangesToClassBody(parts.ranges) + parts.props.join('');
  if (body === '') return negated ? '[\\s\\S]' : '[]';
  return `[${negated ? '^' : ''}${body}]`;
}

// Go's \p names: general categories and scripts (golang/go src/unicode/tables.go); JS knows both under
// \p{Name} (categories) or \p{Script=Name} (scripts). Anything JS rejects, Go rejects too (modulo Unicode versions).
function unicodeProp(name: string, negated: boolean): string | null {
  const p = negated ? 'P' : 'p';
  for (const candidate of [`\\${p}{${name}}`, `\\${p}{Script=${name}}`]) {
    try {
      new RegExp(candidate, 'u');
      return candidate;
    } catch {
      /* try next form */
    }
  }
  return null;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isValidCaptureName(name: string): boolean {
  // golang/go src/regexp/syntax/parse.go isValidCaptureName: ASCII word characters only.
  if (name === '') return false;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c !== 0x5f && !isAsciiAlnum(c)) return false;
  }
  return true;
}

/** One emitted item of a concatenation. `repeatable` is false for things a quantifier can't follow in JS. */
interface Atom {
  js: string;
  /** true when js is a single unit a JS quantifier may follow directly (char, class, group) */
  unit: boolean;
  /** true once a quantifier was applied (a second one needs a wrapping group, as Go allows `(a*)*`-like stacking via groups) */
  repeated: boolean;
}

interface Frame {
  kind: 'capture' | 'group' | 'top';
  alternatives: string[];
  atoms: Atom[];
  savedFlags: Flags;
}

class Parser {
  private pos = 0;
  private readonly src: string;
  private flags: Flags = { foldCase: false, oneLine: true, dotNL: false, nonGreedy: false };
  readonly names: string[] = [''];
  private stack: Frame[] = [];

  constructor(src: string) {
    this.src = src;
  }

  private rest(): string {
    return this.src.slice(this.pos);
  }

  private peekCp(offset = 0): number | undefined {
    return this.src.codePointAt(this.pos + offset);
  }

  private nextCp(): number {
    const c = this.src.codePointAt(this.pos)!;
    this.pos += c > 0xffff ? 2 : 1;
    return c;
  }

  private get frame(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  private push(atom: Atom): void {
    this.frame.atoms.push(atom);
  }

  private literal(c: number): Atom {
    if (this.flags.foldCase) {
      const orbit = foldOrbit(c);
      if (orbit.length > 1) return { js: classToJs({ ranges: orbit.map((o) => [o, o] as Range), props: [] }, false), unit: true, repeated: false };
    }
    return { js: cp(c), unit: true, repeated: false };
  }

  parse(): string {
    const s = this.src;
    this.stack.push({ kind: 'top', alternatives: [], atoms: [], savedFlags: { ...this.flags } });
    let lastRepeat = ''; // text of the previous repetition operator, for Go's nested-repetition error
    let lastRepeatStart = -1;
    while (this.pos < s.length) {
      let repeatStart = -1;
      const c = this.peekCp()!;
      switch (c) {
        case 0x28: {
          // (
          if (this.peekCp(1) === 0x3f) {
            this.parsePerlFlags();
            break;
          }
          this.pos++;
          this.names.push('');
          this.stack.push({ kind: 'capture', alternatives: [], atoms: [], savedFlags: { ...this.flags } });
          break;
        }
        case 0x7c: // |
          this.pos++;
          this.frame.alternatives.push(this.concat());
          this.frame.atoms = [];
          break;
        case 0x29: {
          // )
          this.pos++;
          const f = this.frame;
          if (f.kind === 'top') throw new GoRegexpError(ErrUnexpectedParen, s);
          this.stack.pop();
          const body = [...f.alternatives, this.concatOf(f.atoms)].join('|');
          this.flags = f.savedFlags; // Go restores flags at the close of the group that saved them
          this.push({ js: f.kind === 'capture' ? `(${body})` : `(?:${body})`, unit: true, repeated: false });
          break;
        }
        case 0x5e: // ^
          this.pos++;
          this.push({ js: this.flags.oneLine ? '(?<![\\s\\S])' : '(?<![^\\n])', unit: false, repeated: false });
          break;
        case 0x24: // $
          this.pos++;
          this.push({ js: this.flags.oneLine ? '(?![\\s\\S])' : '(?![^\\n])', unit: false, repeated: false });
          break;
        case 0x2e: // .
          this.pos++;
          this.push({ js: this.flags.dotNL ? '[\\s\\S]' : '[^\\n]', unit: true, repeated: false });
          break;
        case 0x5b: // [
          this.push(this.parseClass());
          break;
        case 0x2a:
        case 0x2b:
        case 0x3f: {
          // * + ?
          const start = this.pos;
          this.pos++;
          const q = c === 0x2a ? '*' : c === 0x2b ? '+' : '?';
          this.repeat(q, start, lastRepeat, lastRepeatStart);
          repeatStart = start;
          break;
        }
        case 0x7b: {
          // {
          const start = this.pos;
          const parsed = parseRepeatBraces(s, this.pos);
          if (!parsed) {
            this.pos++;
            this.push(this.literal(0x7b)); // an unparseable repeat is a literal {
            break;
          }
          const { min, max, end } = parsed;
          if (min < 0 || min > 1000 || max > 1000 || (max >= 0 && min > max)) {
            throw new GoRegexpError(ErrInvalidRepeatSize, s.slice(start, end));
          }
          this.pos = end;
          const q = max === -1 ? `{${min},}` : max === min ? `{${min}}` : `{${min},${max}}`;
          this.repeat(q, start, lastRepeat, lastRepeatStart);
          repeatStart = start;
          break;
        }
        case 0x5c: // backslash
          this.parseBackslash();
          break;
        default:
          this.push(this.literal(this.nextCp()));
      }
      if (repeatStart >= 0) {
        lastRepeat = s.slice(repeatStart, this.pos);
        lastRepeatStart = repeatStart;
      } else {
        lastRepeat = '';
        lastRepeatStart = -1;
      }
    }
    if (this.stack.length > 1) throw new GoRegexpError(ErrMissingParen, s);
    const top = this.frame;
    return [...top.alternatives, this.concatOf(top.atoms)].join('|');
  }

  private concat(): string {
    return this.concatOf(this.frame.atoms);
  }

  private concatOf(atoms: Atom[]): string {
    return atoms.map((a) => a.js).join('');
  }

  private repeat(q: string, start: number, lastRepeat: string, lastRepeatStart: number): void {
    const s = this.src;
    let nonGreedy = this.flags.nonGreedy;
    if (this.peekCp() === 0x3f) {
      this.pos++;
      nonGreedy = !nonGreedy;
    }
    if (lastRepeat !== '') {
      // golang/go src/regexp/syntax/parse.go repeat(): "a**" is an error, not a doubled star.
      throw new GoRegexpError(ErrInvalidRepeatOp, s.slice(lastRepeatStart, this.pos));
    }
    const atoms = this.frame.atoms;
    const last = atoms[atoms.length - 1];
    if (!last) throw new GoRegexpError(ErrMissingRepeatArgument, s.slice(start, this.pos));
    const base = last.unit && !last.repeated ? last.js : `(?:${last.js})`;
    atoms[atoms.length - 1] = { js: base + q + (nonGreedy ? '?' : ''), unit: false, repeated: true };
  }

  private parsePerlFlags(): void {
    // golang/go src/regexp/syntax/parse.go parsePerlFlags
    const s = this.src;
    const t = this.rest();
    const startsWithP = t.length > 4 && t[2] === 'P' && t[3] === '<';
    const startsWithName = t.length > 3 && t[2] === '<';
    if (startsWithP || startsWithName) {
      const exprStart = startsWithP ? 4 : 3;
      const end = t.indexOf('>');
      if (end < 0) throw new GoRegexpError(ErrInvalidNamedCapture, t);
      const capture = t.slice(0, end + 1);
      const name = t.slice(exprStart, end);
      if (!isValidCaptureName(name)) throw new GoRegexpError(ErrInvalidNamedCapture, capture);
      this.pos += end + 1;
      this.names.push(name);
      this.stack.push({ kind: 'capture', alternatives: [], atoms: [], savedFlags: { ...this.flags } });
      return;
    }
    const begin = this.pos;
    this.pos += 2; // (?
    // Go inverts the flag word on '-', so "set" and "clear" swap roles; tracked here with `sign`.
    const flags: Flags = { ...this.flags };
    let sign = 1;
    let sawFlag = false;
    while (this.pos < s.length) {
      const c = String.fromCodePoint(this.nextCp());
      switch (c) {
        case 'i':
          flags.foldCase = sign > 0;
          sawFlag = true;
          continue;
        case 'm':
          flags.oneLine = sign < 0;
          sawFlag = true;
          continue;
        case 's':
          flags.dotNL = sign > 0;
          sawFlag = true;
          continue;
        case 'U':
          flags.nonGreedy = sign > 0;
          sawFlag = true;
          continue;
        case '-':
          if (sign < 0) break;
          sign = -1;
          sawFlag = false;
          continue;
        case ':':
        case ')':
          if (sign < 0 && !sawFlag) break;
          if (c === ':') {
            this.stack.push({ kind: 'group', alternatives: [], atoms: [], savedFlags: { ...this.flags } });
          }
          this.flags = flags;
          return;
        default:
          break;
      }
      break;
    }
    throw new GoRegexpError(ErrInvalidPerlOp, s.slice(begin, this.pos));
  }

  private parseBackslash(): void {
    const s = this.src;
    const start = this.pos;
    const next = this.peekCp(1);
    if (next === undefined) throw new GoRegexpError(ErrTrailingBackslash, '');
    const ch = String.fromCodePoint(next);
    switch (ch) {
      case 'A':
        this.pos += 2;
        this.push({ js: '(?<![\\s\\S])', unit: false, repeated: false });
        return;
      case 'z':
        this.pos += 2;
        this.push({ js: '(?![\\s\\S])', unit: false, repeated: false });
        return;
      case 'b':
        this.pos += 2;
        this.push({ js: '\\b', unit: false, repeated: false });
        return;
      case 'B':
        this.pos += 2;
        this.push({ js: '\\B', unit: false, repeated: false });
        return;
      case 'Q': {
        // \Q...\E: literal text up to \E or the end
        let lit: string;
        const end = s.indexOf('\\E', start + 2);
        if (end < 0) {
          lit = s.slice(start + 2);
          this.pos = s.length;
        } else {
          lit = s.slice(start + 2, end);
          this.pos = end + 2;
        }
        for (const c of lit) this.push(this.literal(c.codePointAt(0)!));
        return;
      }
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W': {
        this.pos += 2;
        let ranges = PERL_CLASSES[ch.toLowerCase()]!;
        if (ch !== ch.toLowerCase()) ranges = negate(ranges);
        if (this.flags.foldCase) ranges = foldRanges(ranges);
        this.push({ js: classToJs({ ranges, props: [] }, false), unit: true, repeated: false });
        return;
      }
      case 'p':
      case 'P': {
        const parts: ClassParts = { ranges: [], props: [] };
        this.parseUnicodeClass(parts);
        this.push({ js: classToJs(parts, false), unit: true, repeated: false });
        return;
      }
      default: {
        const c = this.parseEscape();
        this.push(this.literal(c));
      }
    }
  }

  /** golang/go src/regexp/syntax/parse.go parseEscape; pos at the backslash. */
  private parseEscape(): number {
    const s = this.src;
    const start = this.pos;
    this.pos++; // backslash
    if (this.pos >= s.length) throw new GoRegexpError(ErrTrailingBackslash, '');
    const c = this.nextCp();
    const bad = (): never => {
      throw new GoRegexpError(ErrInvalidEscape, s.slice(start, this.pos));
    };
    if (c >= 0x31 && c <= 0x37) {
      // Single non-zero digit is a backreference; not supported
      const n = this.peekCp();
      if (n === undefined || n < 0x30 || n > 0x37) bad();
    }
    if (c >= 0x30 && c <= 0x37) {
      // Octal: up to three digits in all.
      let r = c - 0x30;
      for (let i = 1; i < 3; i++) {
        const n = this.peekCp();
        if (n === undefined || n < 0x30 || n > 0x37) break;
        r = r * 8 + (n - 0x30);
        this.pos++;
      }
      return r;
    }
    switch (String.fromCodePoint(c)) {
      case 'x': {
        if (this.pos >= s.length) bad();
        let n = this.nextCp();
        if (n === 0x7b) {
          // \x{HEX}
          let nhex = 0;
          let r = 0;
          for (;;) {
            if (this.pos >= s.length) bad();
            n = this.nextCp();
            if (n === 0x7d) break;
            const v = hexVal(n);
            if (v < 0) bad();
            r = r * 16 + v;
            if (r > MAX_RUNE) bad();
            nhex++;
          }
          if (nhex === 0) bad();
          return r;
        }
        const x = hexVal(n);
        if (this.pos >= s.length) bad();
        const y = hexVal(this.nextCp());
        if (x < 0 || y < 0) bad();
        return x * 16 + y;
      }
      case 'a':
        return 7;
      case 'f':
        return 0x0c;
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 't':
        return 0x09;
      case 'v':
        return 0x0b;
      default:
        if (c < 0x80 && !isAsciiAlnum(c)) return c; // escaped punctuation is itself
        return bad();
    }
  }

  /** \p{Name}, \pL, \P{...}, \p{^Name}; pos at the backslash. */
  private parseUnicodeClass(parts: ClassParts): void {
    const s = this.src;
    const start = this.pos;
    let negated = s[this.pos + 1] === 'P';
    this.pos += 2;
    if (this.pos >= s.length) throw new GoRegexpError(ErrInvalidCharRange, s.slice(start));
    let name: string;
    if (s[this.pos] === '{') {
      const end = s.indexOf('}', this.pos);
      if (end < 0) throw new GoRegexpError(ErrInvalidCharRange, s.slice(start));
      name = s.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      name = String.fromCodePoint(this.nextCp());
    }
    const seq = s.slice(start, this.pos);
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (name === 'Any') {
      parts.ranges.push(...(negated ? [] : ([[0, MAX_RUNE]] as Range[])));
      return;
    }
    const prop = unicodeProp(name, negated);
    if (prop === null) throw new GoRegexpError(ErrInvalidCharRange, seq);
    parts.props.push(prop);
  }

  /** golang/go src/regexp/syntax/parse.go parseClass; pos at '['. */
  private parseClass(): Atom {
    const s = this.src;
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (s[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    const parts: ClassParts = { ranges: [], props: [] };
    let first = true;
    const missing = (): never => {
      throw new GoRegexpError(ErrMissingBracket, s.slice(start));
    };
    while (this.pos >= s.length || s[this.pos] !== ']' || first) {
      if (this.pos >= s.length) missing();
      first = false;
      // POSIX [:alnum:]
      if (s.startsWith('[:', this.pos) && this.pos + 2 < s.length) {
        const end = s.indexOf(':]', this.pos + 2);
        if (end >= 0) {
          const whole = s.slice(this.pos, end + 2);
          let name = s.slice(this.pos + 2, end);
          let neg = false;
          if (name.startsWith('^')) {
            neg = true;
            name = name.slice(1);
          }
          const r = Object.prototype.hasOwnProperty.call(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
          if (!r) throw new GoRegexpError(ErrInvalidCharRange, whole);
          parts.ranges.push(...(neg ? negate(r) : r));
          this.pos = end + 2;
          continue;
        }
      }
      if (s[this.pos] === '\\' && (s[this.pos + 1] === 'p' || s[this.pos + 1] === 'P')) {
        this.parseUnicodeClass(parts);
        continue;
      }
      if (s[this.pos] === '\\' && this.pos + 1 < s.length && 'dDsSwW'.includes(s[this.pos + 1]!)) {
        const ch = s[this.pos + 1]!;
        const r = PERL_CLASSES[ch.toLowerCase()]!;
        parts.ranges.push(...(ch === ch.toLowerCase() ? r : negate(r)));
        this.pos += 2;
        continue;
      }
      const rngStart = this.pos;
      const lo = this.parseClassChar(start);
      let hi = lo;
      // [a-] means (a|-): a range needs something other than ] after the dash
      if (this.pos + 1 < s.length && s[this.pos] === '-' && s[this.pos + 1] !== ']') {
        this.pos++;
        hi = this.parseClassChar(start);
        if (hi < lo) throw new GoRegexpError(ErrInvalidCharRange, s.slice(rngStart, this.pos));
      }
      parts.ranges.push([lo, hi]);
    }
    this.pos++; // ]
    if (this.flags.foldCase) parts.ranges = foldRanges(parts.ranges);
    return { js: classToJs(parts, negated), unit: true, repeated: false };
  }

  private parseClassChar(classStart: number): number {
    const s = this.src;
    if (this.pos >= s.length) throw new GoRegexpError(ErrMissingBracket, s.slice(classStart));
    if (s[this.pos] === '\\') return this.parseEscape();
    return this.nextCp();
  }
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** golang/go src/regexp/syntax/parse.go parseRepeat + parseInt: `{n}`, `{n,}`, `{n,m}`; null → literal `{`. */
function parseRepeatBraces(s: string, pos: number): { min: number; max: number; end: number } | null {
  let i = pos + 1;
  const int10 = (): number | null => {
    const st = i;
    if (i >= s.length || s[i]! < '0' || s[i]! > '9') return null;
    if (i + 1 < s.length && s[i] === '0' && s[i + 1]! >= '0' && s[i + 1]! <= '9') return null; // no leading zeros
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') i++;
    let n = 0;
    for (let k = st; k < i; k++) {
      if (n >= 1e8) return -1; // too big: reported as an invalid repeat count
      n = n * 10 + (s.charCodeAt(k) - 0x30);
    }
    return n;
  };
  const min = int10();
  if (min === null || i >= s.length) return null;
  let max = min;
  if (s[i] === ',') {
    i++;
    if (i >= s.length) return null;
    if (s[i] === '}') max = -1;
    else {
      const m = int10();
      if (m === null) return null;
      max = m;
    }
  }
  if (i >= s.length || s[i] !== '}') return null;
  return { min, max, end: i + 1 };
}

/** A compiled Go regexp. Indices are UTF-16 offsets into the JS string (Go's are bytes; only slices matter here). */
export interface GoRegexp {
  /** the Go source pattern */
  readonly source: string;
  /** the translated JS RegExp (flags `du`) */
  readonly js: RegExp;
  /** Go's Regexp.SubexpNames(): index 0 is the whole match (""), then one entry per capture group, "" when unnamed */
  readonly subexpNames: readonly string[];
  /** Go's Regexp.MatchString (unanchored) */
  matchString(s: string): boolean;
  /** Go's Regexp.FindStringSubmatchIndex: [start0, end0, start1, end1, ...] with -1 for groups that did not participate */
  findStringSubmatchIndex(s: string): number[] | null;
  /** Go's Regexp.ExpandString(nil, template, src, match) */
  expandString(template: string, src: string, match: readonly number[]): string;
}

/** regexp.Compile with Go's semantics; throws GoRegexpError with Go's message. */
export const compileGoRegexp: (pattern: string) => GoRegexp = memoize(10_000, compileUncached);

function compileUncached(pattern: string): GoRegexp {
  const parser = new Parser(pattern);
  const body = parser.parse();
  let js: RegExp;
  try {
    js = new RegExp(body, 'du');
  } catch (e) {
    // A translation the JS engine refuses is a bug here, not the user's; report it as Go would not.
    throw new GoRegexpError(ErrInvalidCharClass, `${pattern} (untranslatable: ${(e as Error).message})`);
  }
  const names = parser.names;
  const re: GoRegexp = {
    source: pattern,
    js,
    subexpNames: names,
    matchString: (s) => js.test(s),
    findStringSubmatchIndex(s) {
      const m = js.exec(s);
      if (!m || !m.indices) return null;
      const out: number[] = [];
      for (let i = 0; i < names.length; i++) {
        const pair = m.indices[i];
        if (pair) out.push(pair[0], pair[1]);
        else out.push(-1, -1);
      }
      return out;
    },
    expandString: (template, src, match) => expand(template, src, match, names),
  };
  return re;
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}_]$/u;

/**
 * golang/go src/regexp/regexp.go extract(): the name after `$`, either `name` or `{name}`; a name made only of
 * ASCII digits (no leading zero, < 1e8 while parsing) is a group number, anything else a group name.
 */
export function extractTemplateName(str: string): { name: string; num: number; rest: string } | null {
  if (str === '') return null;
  let brace = false;
  let s = str;
  if (s[0] === '{') {
    brace = true;
    s = s.slice(1);
  }
  let i = 0;
  for (const ch of s) {
    if (!LETTER_OR_DIGIT.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return null; // empty name is not okay
  const name = s.slice(0, i);
  if (brace) {
    if (i >= s.length || s[i] !== '}') return null; // missing closing brace
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 0x30 || c > 0x39 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 0x30);
  }
  if (name[0] === '0' && name.length > 1) num = -1; // disallow leading zeros
  return { name, num, rest: s.slice(i) };
}

/**
 * Go's Regexp.ExpandString (golang/go src/regexp/regexp.go expand()): `$$` is `$`; `$name`/`${name}` is the
 * group (by number or name) or "" when absent or unmatched; a malformed `$` is kept literally. The greedy name
 * rule makes `$1_per_second` the group named "1_per_second" — which expands to "".
 */
export function expand(template: string, src: string, match: readonly number[], subexpNames: readonly string[]): string {
  let out = '';
  let t = template;
  for (;;) {
    const k = t.indexOf('$');
    if (k < 0) break;
    out += t.slice(0, k);
    t = t.slice(k + 1);
    if (t !== '' && t[0] === '$') {
      out += '$';
      t = t.slice(1);
      continue;
    }
    const ex = extractTemplateName(t);
    if (!ex) {
      out += '$';
      continue;
    }
    t = ex.rest;
    if (ex.num >= 0) {
      const a = match[2 * ex.num];
      const b = match[2 * ex.num + 1];
      if (2 * ex.num + 1 < match.length && a !== undefined && b !== undefined && a >= 0) out += src.slice(a, b);
    } else {
      for (let i = 0; i < subexpNames.length; i++) {
        const a = match[2 * i];
        const b = match[2 * i + 1];
        if (ex.name === subexpNames[i] && 2 * i + 1 < match.length && a !== undefined && b !== undefined && a >= 0) {
          out += src.slice(a, b);
          break;
        }
      }
    }
  }
  return out + t;
}

/** Template references of an `as` template, as Go's expand() will read them (for warnings). */
export function templateRefs(template: string): Array<{ text: string; name: string; num: number; braced: boolean }> {
  const refs: Array<{ text: string; name: string; num: number; braced: boolean }> = [];
  let t = template;
  for (;;) {
    const k = t.indexOf('$');
    if (k < 0) break;
    t = t.slice(k + 1);
    if (t[0] === '$') {
      t = t.slice(1);
      continue;
    }
    const ex = extractTemplateName(t);
    if (!ex) continue;
    refs.push({ text: '$' + t.slice(0, t.length - ex.rest.length), name: ex.name, num: ex.num, braced: t[0] === '{' });
    t = ex.rest;
  }
  return refs;
}
