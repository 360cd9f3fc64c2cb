// Kubernetes resource.Quantity, ported from k8s.io/apimachinery/pkg/api/resource/quantity.go
// (ParseQuantity, parseQuantityString, CanonicalizeBytes, UnmarshalJSON) and suffix.go.
// Pure code, exact arithmetic: a parsed quantity is always an integer number of nano-units
// (ParseQuantity rounds anything finer up to 1n), so a BigInt of nanos represents every
// value exactly and comparisons never touch floating point.

import { memoize } from './memo.js';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** quantity.go splitREString: the text the API server puts in ErrFormatWrong. */
export const QUANTITY_REGEXP = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** quantity.go ErrFormatWrong / ErrNumeric / ErrSuffix, verbatim. */
export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${QUANTITY_REGEXP}'`;
export const ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_SUFFIX = "unable to parse quantity's suffix";

const SUFFIXES_ALLOWED = 'suffixes n u m k M G T P E (powers of 1000), Ki Mi Gi Ti Pi Ei (powers of 1024) or e<N> (×10^N), e.g. 30, 500m, 1k, 1Gi';

const NANO = 10n ** 9n;
// quantity.go maxAllowed: BinarySI values are silently capped at 2^63-1.
const MAX_ALLOWED_NANOS = ((1n << 63n) - 1n) * NANO;
// Beyond this a positive exponent would need an enormous BigInt. The API server would
// build the number (and likely stall); we refuse instead of hanging the webhook.
const MAX_POSITIVE_EXPONENT = 4096;

export class Quantity {
  /** exact value × 10^9 */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
  /**
   * quantity.go keeps the input string (field `s`) when it is already canonical-looking and
   * MarshalJSON re-emits it verbatim, e.g. "+1" or "01" or "1E3" survive a round trip.
   */
  readonly cached: string | undefined;

  constructor(nanos: bigint, format: QuantityFormat, cached?: string) {
    this.nanos = nanos;
    this.format = format;
    this.cached = cached;
  }

  sign(): -1 | 0 | 1 {
    return this.nanos > 0n ? 1 : this.nanos < 0n ? -1 : 0;
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  cmp(other: Quantity): -1 | 0 | 1 {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  equals(other: Quantity): boolean {
    return this.nanos === other.nanos;
  }

  /** The exact value as a reduced fraction numerator/denominator (denominator > 0). */
  asFraction(): { numerator: bigint; denominator: bigint } {
    const g = gcd(abs(this.nanos), NANO);
    return { numerator: this.nanos / g, denominator: NANO / g };
  }

  /** ceil(value) away from zero, like Quantity.Value(). */
  value(): bigint {
    return divAwayFromZero(this.nanos, NANO);
  }

  /** ceil(value*1000) away from zero, like Quantity.MilliValue(). */
  milliValue(): bigint {
    return divAwayFromZero(this.nanos, 10n ** 6n);
  }

  /** CanonicalizeBytes: the canonical form, ignoring any cached input string. */
  canonical(): string {
    return canonicalize(this.nanos, this.format);
  }

  /** Quantity.String()/MarshalJSON: the cached input when Go kept it, else canonical(). */
  toString(): string {
    return this.cached ?? this.canonical();
  }

  toJSON(): string {
    return this.toString();
  }
}

export type ParseQuantityResult = { ok: true; quantity: Quantity } | { ok: false; error: string };

/**
 * Parse a quantity as the API server decodes one from JSON (Quantity.UnmarshalJSON):
 * surrounding whitespace of a string is trimmed (strings.TrimSpace), and a JSON number
 * (`averageValue: 30` in YAML) is parsed from its decimal text. JSON null is not a quantity:
 * callers treat null/undefined as "unset" before calling this.
 */
export function parseQuantity(input: string | number): ParseQuantityResult {
  // The same few quantities ("1", "80", "500m") arrive in every review; parsing is pure and a
  // Quantity immutable, so results are remembered (bounded; long strings never kept).
  // Stryker disable next-line all: a memo cache — a mutant that bypasses it returns the same answer
  if (typeof input === 'string' && input.length > MEMO_MAX_LENGTH) return Object.freeze(parseQuantityUncached(input));
  return parseQuantityMemo(input);
}

/**
 * Parse a resource.Quantity field of a request body as the API server decodes it from what kubectl
 * sends. Quantity.UnmarshalJSON (apimachinery pkg/api/resource/quantity.go) strips the quotes and
 * applies strings.TrimSpace to the raw, still-escaped JSON text, and kubectl re-encodes every object
 * with Go's encoding/json, which escapes control characters (\t, \n, \r, \u000b, \u000c) and
 * U+2028/U+2029. So only the white space Go writes raw is trimmed: " 1 " is 1, while "1\n" (a
 * YAML block scalar `averageValue: |`) reaches ParseQuantity as `1\n` and is refused.
 */
export function parseJsonQuantity(input: string | number): ParseQuantityResult {
  if (typeof input === 'number') return parseQuantity(input);
  let start = 0;
  let end = input.length;
  while (start < end && RAW_JSON_SPACE.has(input.charCodeAt(start))) start++;
  while (end > start && RAW_JSON_SPACE.has(input.charCodeAt(end - 1))) end--;
  const kept = input.slice(start, end);
  if (kept !== goTrimSpace(kept)) {
    const esc = JSON.stringify(kept).slice(1, -1);
    return {
      ok: false,
      error: `invalid quantity ${JSON.stringify(input)}: ${ERR_FORMAT_WRONG} (the API server trims only plain spaces from the JSON text, and this value has escaped white space around it: ${esc}; remove it (a YAML block scalar \`|\` ends in a newline: write the quantity on the key's line)`,
    };
  }
  return parseQuantity(kept);
}

// GO_SPACE minus what encoding/json escapes
const RAW_JSON_SPACE = new Set([0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x202f, 0x205f, 0x3000]);

const MEMO_MAX_LENGTH = 40;
const parseQuantityMemo = memoize(1024, (input: string | number): ParseQuantityResult => Object.freeze(parseQuantityUncached(input)));

function parseQuantityUncached(input: string | number): ParseQuantityResult {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) {
      return { ok: false, error: `invalid quantity ${String(input)}: ${ERR_FORMAT_WRONG}` };
    }
    // String(n) is the shortest decimal that round-trips, i.e. the JSON literal for all
    // ordinary inputs ("1e+21" is still a valid quantity). Only the format can differ from
    // Go's (1e3 arrives as 1000), never the value.
    return withHint(String(input), parseQuantityExact(String(input)));
  }
  if (typeof input !== 'string') {
    return { ok: false, error: `invalid quantity of type ${describeType(input)}: must be a string or a number; ${ERR_FORMAT_WRONG}` };
  }
  const trimmed = goTrimSpace(input);
  return withHint(input, parseQuantityExact(trimmed));
}

/**
 * ParseQuantity itself (quantity.go): no whitespace trimming, no numbers. Returns the Go
 * error text verbatim (ErrFormatWrong, ErrSuffix or ErrNumeric) on failure.
 */
export function parseQuantityExact(str: string): { ok: true; quantity: Quantity } | { ok: false; error: string } {
  if (str.length === 0) return { ok: false, error: ERR_FORMAT_WRONG };
  // Stryker disable next-line ConditionalExpression: Go's fast path for "0" — the general path gives the same value, format and String() ("0"); only the unread `cached` field differs
  if (str === '0') return { ok: true, quantity: new Quantity(0n, 'DecimalSI', '0') };

  const parts = scanQuantity(str);
  if (!parts) return { ok: false, error: ERR_FORMAT_WRONG };
  const { positive, num, denom, suffix } = parts;

  const interp = interpretSuffix(suffix);
  if (!interp) return { ok: false, error: ERR_SUFFIX };
  const { base, exponent } = interp;
  let format = interp.format;

  // value = (num.denom) * base^exponent, then rounded away from zero to a multiple of 1n.
  const digits = BigInt(num + denom);
  let magnitudeNanos: bigint;
  if (base === 10) {
    const shift = exponent - denom.length + 9; // nanos = digits * 10^shift
    // Stryker disable next-line EqualityOperator: at shift 0 both branches give digits (× 10^0, or ceilDiv by 10^0)
    if (shift >= 0) {
      // zero at any exponent is zero (Go scales an inf.Dec and never evaluates 10^exponent);
      // 10n ** 999999999n would throw RangeError out of the engine
      if (digits === 0n) magnitudeNanos = 0n;
      else if (shift > MAX_POSITIVE_EXPONENT) {
        return { ok: false, error: `${ERR_NUMERIC} (exponent ${exponent} is too large to evaluate)` };
      } else magnitudeNanos = digits * 10n ** BigInt(shift);
    } else {
      // Inputs finer than 1n round up (inf.RoundUp), so any non-zero remainder adds one.
      const places = -shift;
      // Stryker disable next-line EqualityOperator: at places = digits + 1 both branches give 1n (or 0n); the test only avoids a huge power
      if (places > (num + denom).length + 1) magnitudeNanos = digits === 0n ? 0n : 1n;
      else magnitudeNanos = ceilDiv(digits, 10n ** BigInt(places));
    }
  } else {
    magnitudeNanos = ceilDiv(digits * (1n << BigInt(exponent)) * NANO, 10n ** BigInt(denom.length));
  }

  // Stryker disable next-line EqualityOperator: at the cap, capping sets the same value
  if (format === 'BinarySI' && magnitudeNanos > MAX_ALLOWED_NANOS) magnitudeNanos = MAX_ALLOWED_NANOS;
  if (format === 'BinarySI' && magnitudeNanos > 0n && magnitudeNanos < NANO) format = 'DecimalSI';

  const nanos = positive ? magnitudeNanos : -magnitudeNanos;
  return { ok: true, quantity: new Quantity(nanos, format, cachedString(str, parts, interp)) };
}

// ---------------------------------------------------------------------------------------------
// parsing internals

interface Scanned {
  positive: boolean;
  num: string; // integer digits without leading zeros ("0" when none)
  denom: string; // fraction digits, may be ""
  suffix: string;
}

// quantity.go parseQuantityString. Returns undefined where Go returns ErrFormatWrong.
function scanQuantity(str: string): Scanned | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') {
      positive = false;
      pos++;
    } else if (str[0] === '+') {
      pos++;
    }
  }
  // strip leading zeros; a string of only sign and zeros is 0 ("-" and "+" parse as 0 too)
  while (true) {
    if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
    if (str[pos] === '0') pos++;
    else break;
  }
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  pos = i;
  if (num.length === 0) num = '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    let j = pos;
    while (j < end && isDigit(str[j])) j++;
    denom = str.slice(pos, j);
    pos = j;
    // Go allows "1." and "1.G" (a TODO in quantity.go), so an empty fraction is fine.
  }
  const suffixStart = pos;
  while (pos < end && 'eEinumkKMGTP'.includes(str[pos] as string)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return undefined;
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

interface Interpreted {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

// suffix.go: decimal SI, binary SI, then e/E<int>.
const DEC_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function interpretSuffix(s: string): Interpreted | undefined {
  if (Object.prototype.hasOwnProperty.call(DEC_SUFFIXES, s)) return { base: 10, exponent: DEC_SUFFIXES[s] as number, format: 'DecimalSI' };
  if (Object.prototype.hasOwnProperty.call(BIN_SUFFIXES, s)) return { base: 2, exponent: BIN_SUFFIXES[s] as number, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E')) {
    // strconv.ParseInt(s[1:], 10, 64) then int32(parsed): Go wraps exponents beyond int32.
    const rest = s.slice(1);
    if (!/^[+-]?[0-9]+$/.test(rest)) return undefined;
    const parsed = BigInt(rest);
    if (parsed < INT64_MIN || parsed > INT64_MAX) return undefined;
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

// quantity.go ParseQuantity keeps `s: str` on its int64 fast path when the input already
// looks canonical; String() then returns the input verbatim.
function cachedString(str: string, p: Scanned, it: Interpreted): string | undefined {
  const { num, denom } = p;
  if (it.format === 'BinarySI') {
    // Go: the fast path only for `exponent >= 0 && len(denom) == 0`
    if (denom.length !== 0) return undefined;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: unreachable — binary suffixes (Ki…Ei) have exponents 10…60
    if (it.exponent < 0) return undefined;
    const precision = 15 - num.length - Math.trunc((it.exponent * 3) / 10) - 1;
    if (precision < 0) return undefined;
    const value = BigInt(num);
    const result = value << BigInt(it.exponent);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: unreachable — within the precision above the largest value is 99Ti (about 1.1e14), far below 2^63 (Go's int64Multiply check)
    if (result > INT64_MAX) return undefined;
    return it.exponent % 10 === 0 && (value & 7n) !== 0n ? str : undefined;
  }
  const precision = 18 - (num.length + denom.length);
  if (precision < 0) return undefined;
  const scale = it.exponent - denom.length;
  if (scale < -9) return undefined;
  const shifted = num + denom;
  return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0' ? str : undefined;
}

// ---------------------------------------------------------------------------------------------
// canonical form (quantity.go CanonicalizeBytes, amount.go AsCanonicalBytes/AsCanonicalBase1024Bytes)

const DEC_SUFFIX_BY_EXP = new Map<number, string>(Object.entries(DEC_SUFFIXES).map(([k, v]) => [v, k]));
const BIN_SUFFIX_BY_POW = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

function canonicalize(nanos: bigint, format: QuantityFormat): string {
  if (nanos === 0n) return '0';
  let fmt = format;
  if (fmt === 'BinarySI') {
    // Small binary values and values with a fraction are shown as DecimalSI so nothing rounds.
    if (nanos > -1024n * NANO && nanos < 1024n * NANO) fmt = 'DecimalSI';
    else if (nanos % NANO !== 0n) fmt = 'DecimalSI';
  }
  if (fmt === 'BinarySI') {
    let amount = nanos / NANO;
    let exp = 0;
    while (amount % 1024n === 0n && exp < 6) {
      amount /= 1024n;
      exp++;
    }
    return amount.toString() + (BIN_SUFFIX_BY_POW[exp] ?? '');
  }
  // base 10: strip factors of ten, then lower the exponent to a multiple of 3
  let amount = nanos;
  let exponent = -9;
  while (amount % 10n === 0n) {
    amount /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    amount *= 10n;
    exponent--;
  }
  const number = amount.toString();
  if (fmt === 'DecimalSI') {
    const suffix = DEC_SUFFIX_BY_EXP.get(exponent);
    // Newer quantity.go falls back to e-notation beyond E (10^18) instead of dropping it.
    if (suffix !== undefined) return number + suffix;
  }
  return exponent === 0 ? number : `${number}e${exponent}`;
}

// ---------------------------------------------------------------------------------------------
// error hints: the API server's text plus what the user most likely meant

function withHint(original: string, r: ParseQuantityResult): ParseQuantityResult {
  if (r.ok) return r;
  const hint = hintFor(goTrimSpace(original));
  // Say what is allowed. For a suffix error Go's text does not show the grammar, so add the
  // API server's regular expression; for a format error it is already there.
  const allowed = r.error === ERR_FORMAT_WRONG ? `allowed ${SUFFIXES_ALLOWED}` : `${ERR_FORMAT_WRONG} with one of the ${SUFFIXES_ALLOWED}`;
  return { ok: false, error: `invalid quantity ${JSON.stringify(original)}: ${r.error}${hint ? ` (${hint})` : ''}; ${allowed}` };
}

function hintFor(s: string): string | undefined {
  if (/\s/.test(s)) {
    const compact = s.replace(/\s+/g, '');
    if (parseQuantityExact(compact).ok) return `remove the spaces: ${compact}`;
  }
  if (s.endsWith('%')) {
    const n = s.slice(0, -1);
    if (parseQuantityExact(n).ok) return `a quantity has no percent sign: write ${n}, or use a Utilization target with averageUtilization: ${n} for a percentage of requests`;
  }
  const m = /^([+-]?[0-9]*\.?[0-9]*)([A-Za-z]+)$/.exec(s);
  if (!m) return undefined;
  const num = m[1] as string;
  let suf = m[2] as string;
  // "1GB", "1Gib", "10MiB": the byte unit is implied, offer both the decimal and binary unit
  const bytes = suf.length > 1 && /^[a-z]i?b$/i.test(suf);
  if (bytes) suf = suf.slice(0, -1);
  const want = suf.toLowerCase();
  const all = [...Object.keys(DEC_SUFFIXES).filter((k) => k !== ''), ...Object.keys(BIN_SUFFIXES)];
  const candidates = all.filter((k) => k.toLowerCase() === want || (bytes && k.toLowerCase() === want + 'i') || (want === 'k' && k === 'Ki') || (want === 'ki' && k === 'k'));
  const valid = candidates.map((c) => num + c).filter((c) => c !== s && parseQuantityExact(c).ok);
  if (valid.length === 0) return undefined;
  const described = valid.map((c) => {
    const q = parseQuantityExact(c);
    return q.ok ? `${c} (= ${plain(q.quantity)})` : c;
  });
  return `did you mean ${described.join(' or ')}?`;
}

function plain(q: Quantity): string {
  const whole = q.nanos / NANO;
  const frac = abs(q.nanos % NANO);
  if (frac === 0n) return whole.toString();
  return `${q.nanos < 0n && whole === 0n ? '-' : ''}${whole.toString()}.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
}

// ---------------------------------------------------------------------------------------------
// small helpers

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  // a, b >= 0
  return (a + b - 1n) / b;
}

function divAwayFromZero(a: bigint, b: bigint): bigint {
  const q = a / b;
  if (a % b === 0n) return q;
  return a < 0n ? q - 1n : q + 1n;
}

// Go strings.TrimSpace trims Unicode White_Space (unicode.IsSpace), which differs from JS
// String.prototype.trim: Go trims U+0085 and keeps U+FEFF.
const GO_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function goTrimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && GO_SPACE.has(s.charCodeAt(start))) start++;
  while (end > start && GO_SPACE.has(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
