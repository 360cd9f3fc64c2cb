// Edges of the Quantity port that the Go tables do not reach (issue 19): the guard against huge
// exponents (it keeps the webhook from hanging on "1e999999999"), rounding of values finer than 1n,
// the BinarySI cap, the accessors, inputs that are not strings, and each kind of hint. Expected
// values are worked out by hand from quantity.go's rules, not taken from this implementation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERR_FORMAT_WRONG, ERR_NUMERIC, ERR_SUFFIX, parseQuantity, parseQuantityExact } from '../../src/core/quantity.js';

const NANO = 10n ** 9n;

function ok(s: string | number) {
  const r = parseQuantity(s);
  assert.ok(r.ok, `${String(s)}: ${r.ok ? '' : r.error}`);
  return r.quantity;
}
function err(s: unknown): string {
  const r = parseQuantity(s as string);
  assert.equal(r.ok, false, `${String(s)} should not parse`);
  return r.ok ? '' : r.error;
}

test('huge exponents: the last exponent evaluated and the first refused (nanos = digits × 10^(exponent − fraction digits + 9) ≤ 10^4096)', () => {
  assert.equal(ok('1e4087').nanos, 10n ** 4096n);
  assert.equal(ok('1.5e4088').nanos, 15n * 10n ** 4096n, 'one fraction digit: the shift is 4096 again');
  for (const s of ['1e4088', '-1e4088', '1E4088', '1e999999999', '1.5e4089']) {
    const r = parseQuantityExact(s);
    assert.equal(r.ok, false, s);
    if (!r.ok) {
      assert.ok(r.error.startsWith(ERR_NUMERIC), r.error);
      assert.match(r.error, /too large/);
    }
  }
  // zero stays zero at any exponent (Go scales an inf.Dec, it never evaluates 10^exponent); evaluating
  // it here threw RangeError (Maximum BigInt size exceeded) out of the engine
  assert.equal(ok('0e999999999').nanos, 0n);
  assert.equal(ok('0.0e999999999').isZero(), true);
  // the exponent is Go's int32 of an int64: past int64 the suffix is refused, past int32 it wraps
  const big = parseQuantityExact('1e9223372036854775808');
  assert.deepEqual(big, { ok: false, error: ERR_SUFFIX });
  assert.equal(ok('1e9223372036854775807').nanos, NANO / 10n, 'int32(2^63-1) = -1: 1e-1 is 0.1');
  assert.equal(ok('1e4294967296').nanos, NANO, 'int32(2^32) = 0');
  assert.equal(ok('1e2147483648').nanos, 1n, 'int32(2^31) wraps to -2^31: finer than 1n rounds up');
});

test('values finer than 1n round up away from zero to 1n; exact ones do not', () => {
  assert.equal(ok('1n').nanos, 1n);
  assert.equal(ok('1.5n').nanos, 2n);
  assert.equal(ok('1.0n').nanos, 1n);
  assert.equal(ok('-1.5n').nanos, -2n);
  assert.equal(ok('1e-10').nanos, 1n);
  assert.equal(ok('1e-30').nanos, 1n);
  assert.equal(ok('-1e-30').nanos, -1n);
  assert.equal(ok('0e-30').nanos, 0n);
  assert.equal(ok('10e-10').nanos, 1n);
  assert.equal(ok('11e-10').nanos, 2n);
  assert.equal(ok('5e-11').nanos, 1n);
  assert.equal(ok('0.000000001').nanos, 1n);
  assert.equal(ok('0.0000000011').nanos, 2n);
  assert.equal(ok('0.0000000010').nanos, 1n);
});

test('BinarySI: capped at 2^63-1, and a binary value below one unit is DecimalSI', () => {
  const max = (1n << 63n) - 1n;
  assert.equal(ok('8Ei').nanos, max * NANO);
  assert.equal(ok('16Ei').value(), max);
  assert.equal(ok('7Ei').nanos, 7n * (1n << 60n) * NANO, 'below the cap: exact');
  assert.equal(ok('1Ki').format, 'BinarySI');
  assert.equal(ok('0.5Ki').format, 'BinarySI', '512 is a whole unit');
  const tiny = ok('0.0000000001Ki'); // 1024e-10 = 102.4n → 103n
  assert.equal(tiny.nanos, 103n);
  assert.equal(tiny.format, 'DecimalSI');
  assert.equal(ok('0Ki').format, 'BinarySI', 'zero is not "below one unit"');
  assert.equal(ok('-0.0000000001Ki').nanos, -103n);
});

test('accessors: sign, zero, comparison, Value and MilliValue round away from zero, the exact fraction', () => {
  assert.equal(ok('1m').sign(), 1);
  assert.equal(ok('-1m').sign(), -1);
  assert.equal(ok('0').sign(), 0);
  assert.equal(ok('-0').sign(), 0);
  assert.equal(ok('1n').isZero(), false);
  assert.equal(ok('0m').isZero(), true);
  assert.equal(ok('1').equals(ok('1000m')), true);
  assert.equal(ok('1').equals(ok('1001m')), false);
  assert.equal(ok('1').cmp(ok('1001m')), -1);
  assert.equal(ok('1001m').cmp(ok('1')), 1);
  assert.equal(ok('1k').cmp(ok('1000')), 0);

  assert.equal(ok('2').value(), 2n);
  assert.equal(ok('1.5').value(), 2n);
  assert.equal(ok('1001m').value(), 2n);
  assert.equal(ok('-1.5').value(), -2n);
  assert.equal(ok('-2').value(), -2n);
  assert.equal(ok('1500m').milliValue(), 1500n);
  assert.equal(ok('1.0001m').milliValue(), 2n);
  assert.equal(ok('-1.0001m').milliValue(), -2n);
  assert.equal(ok('1n').milliValue(), 1n);

  assert.deepEqual(ok('1.5').asFraction(), { numerator: 3n, denominator: 2n });
  assert.deepEqual(ok('-250m').asFraction(), { numerator: -1n, denominator: 4n });
  assert.deepEqual(ok('3').asFraction(), { numerator: 3n, denominator: 1n });
  assert.deepEqual(ok('0').asFraction(), { numerator: 0n, denominator: 1n });
  assert.deepEqual(ok('1n').asFraction(), { numerator: 1n, denominator: NANO });
});

test('toString and toJSON give the cached input when Go keeps it, else the canonical form', () => {
  assert.equal(ok('+1').toString(), '+1');
  assert.equal(ok('+1').canonical(), '1');
  assert.equal(JSON.stringify({ q: ok('1000m') }), '{"q":"1"}');
  assert.equal(ok('1500m').toJSON(), '1500m');
});

test('numbers are parsed from their decimal text; NaN and infinities are refused', () => {
  assert.equal(ok(30).nanos, 30n * NANO);
  assert.equal(ok(0.5).nanos, NANO / 2n);
  assert.equal(ok(-2).nanos, -2n * NANO);
  assert.equal(ok(1e21).nanos, 10n ** 30n);
  for (const n of [NaN, Infinity, -Infinity]) {
    const e = err(n);
    assert.ok(e.includes(`invalid quantity ${String(n)}`), e);
    assert.ok(e.includes(ERR_FORMAT_WRONG), e);
  }
});

test('inputs that are neither string nor number name their type', () => {
  assert.match(err(null), /of type null/);
  assert.match(err([1]), /of type array/);
  assert.match(err({ a: 1 }), /of type object/);
  assert.match(err(true), /of type boolean/);
  for (const v of [null, [1], true]) assert.ok(err(v).includes(ERR_FORMAT_WRONG));
});

test('the empty string and bare signs: empty is refused, a sign alone is zero (as in Go)', () => {
  assert.ok(err('').includes(ERR_FORMAT_WRONG));
  assert.ok(err('   ').includes(ERR_FORMAT_WRONG));
  assert.equal(ok('-').nanos, 0n);
  assert.equal(ok('+').nanos, 0n);
  assert.equal(ok('000').nanos, 0n);
  assert.equal(ok('-007').nanos, -7n * NANO);
  assert.equal(ok('1.').nanos, NANO);
  assert.equal(ok('.5').nanos, NANO / 2n);
});

test('whitespace: Go trims U+0085 and keeps U+FEFF (strings.TrimSpace, not String.trim)', () => {
  assert.equal(ok('\u00851\u0085').nanos, NANO);
  assert.equal(ok('\u30001\t\n').nanos, NANO);
  err('\uFEFF1');
});

test('hints: spaces removed, percent explained, byte units offered both ways, signs and fractions kept', () => {
  const spaced = err('1 k');
  assert.match(spaced, /remove the spaces: 1k/);
  assert.ok(spaced.startsWith('invalid quantity "1 k": '), spaced);
  const pct = err('30%');
  assert.match(pct, /write 30/);
  assert.match(pct, /averageUtilization: 30/);
  // a percent sign on something that is not a quantity: no percent hint
  assert.doesNotMatch(err('x%'), /percent/);
  // lower-case "ki" is a suffix error: both readings offered, decimal first
  const ki = err('1ki');
  assert.ok(ki.includes(ERR_SUFFIX), ki);
  assert.ok(ki.includes(ERR_FORMAT_WRONG), 'a suffix error adds the grammar');
  assert.match(ki, /did you mean 1k \(= 1000\) or 1Ki \(= 1024\)\?/);
  // byte units: the value keeps its sign and fraction, and the plain value is written out
  const mb = err('-0.5mb');
  assert.match(mb, /-0\.5m \(= -0\.0005\)/);
  assert.match(mb, /-0\.5M \(= -500000\)/);
  assert.match(mb, /-0\.5Mi \(= -524288\)/);
  const gib = err('2Gib');
  assert.match(gib, /2Gi \(= 2147483648\)/);
  // a format error already shows the grammar: it lists the suffixes instead
  const q = err('1Q');
  assert.ok(q.includes(ERR_FORMAT_WRONG));
  assert.match(q, /allowed suffixes/);
  assert.doesNotMatch(q, /did you mean/);
  // no candidate: no hint
  assert.doesNotMatch(err('1zz'), /did you mean/);
  assert.doesNotMatch(err('abc'), /did you mean|remove the spaces/);
  // spaces in something that is still not a quantity: no space hint
  assert.doesNotMatch(err('1 x'), /remove the spaces/);
});

test('the same input gives the same answer, however often and in whichever form it is asked', () => {
  for (let i = 0; i < 3; i++) {
    assert.equal(ok('750m').nanos, 750n * 10n ** 6n);
    assert.equal(ok(0.75).nanos, 750n * 10n ** 6n);
    assert.match(err('750M!'), /"750M!"/);
  }
  // more distinct inputs than the memo keeps: answers stay right after it is cleared
  for (let i = 0; i < 1100; i++) assert.equal(ok(String(i)).nanos, BigInt(i) * NANO);
  assert.equal(ok('1').nanos, NANO);
  const long = '1' + '0'.repeat(60);
  assert.equal(ok(long).nanos, 10n ** 69n);
  assert.equal(ok(long).nanos, 10n ** 69n);
});
