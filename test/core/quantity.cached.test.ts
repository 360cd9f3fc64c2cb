// When ParseQuantity keeps the input string (quantity.go's int64 fast path returns `s: str`, and
// String()/MarshalJSON re-emit it), at each of the fast path's limits (issue 19: boundaries at, below and
// above). From apimachinery pkg/api/resource/quantity.go ParseQuantity:
//   DecimalSI/DecimalExponent: precision = 18 - len(num+denom) >= 0, scale = exponent - len(denom) >= -9,
//     kept when scale%3 == 0, num+denom does not end in "000" and does not start with "0";
//   BinarySI: only without a fraction, precision = 15 - len(num) - int(exponent*3/10) - 1 >= 0,
//     kept when exponent%10 == 0 and value&7 != 0.
// A "+" in front is kept verbatim, so an input that is kept prints with its "+", one that is not prints canonically.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuantityExact } from '../../src/core/quantity.js';

function printed(input: string): string {
  const r = parseQuantityExact(input);
  assert.ok(r.ok, input);
  return r.quantity.toString();
}

test('decimal: 18 digits are kept, 19 are not', () => {
  assert.equal(printed('+123456789012345678'), '+123456789012345678');
  assert.equal(printed('+1234567890123456789'), '1234567890123456789');
  // 18 digits but scale -10: not kept; 12345678.9012345678 × 10^9 = 12345678901234567.8, rounded up
  assert.equal(printed('+12345678.9012345678'), '12345678901234568n');
  assert.equal(printed('+123456789.123456789'), '+123456789.123456789', '18 digits at scale -9');
  assert.equal(printed('+1234567890.12345678'), '1234567890123456780n', 'scale -8: not a multiple of 3');
});

test('decimal: scale -9 is kept, -10 is not (and rounds up to the next nano)', () => {
  assert.equal(printed('+1.000000001'), '+1.000000001');
  assert.equal(printed('+1.0000000001'), '1000000001n');
  assert.equal(printed('+1.000001m'), '+1.000001m', 'm: exponent -3, six fraction digits: scale -9');
  assert.equal(printed('+1.0000001m'), '1000001n', 'seven fraction digits: scale -10');
});

test('decimal: scale a multiple of 3, no trailing "000", no leading "0"', () => {
  assert.equal(printed('+1e3'), '+1e3');
  assert.equal(printed('+1e1'), '10');
  assert.equal(printed('+1e2'), '100');
  assert.equal(printed('+1.5k'), '1500', 'scale 2');
  assert.equal(printed('+100'), '+100');
  assert.equal(printed('+1000'), '1k');
  assert.equal(printed('+10.00'), '10', 'shifted 1000: ends in 000');
  assert.equal(printed('+0.5'), '500m');
  assert.equal(printed('+500m'), '+500m');
});

test('binary: kept without a fraction, within the precision, when the value is not a multiple of 8', () => {
  assert.equal(printed('+1Ki'), '+1Ki');
  assert.equal(printed('+7Ki'), '+7Ki');
  assert.equal(printed('+8Ki'), '8Ki');
  assert.equal(printed('+9Ki'), '+9Ki');
  assert.equal(printed('+1.5Ki'), '1536', 'a fraction: never kept');
  // Ki: 15 - n - 3 - 1 >= 0 up to 11 digits
  assert.equal(printed('+12345678901Ki'), '+12345678901Ki');
  assert.equal(printed('+123456789011Ki'), '123456789011Ki');
  // Mi: 15 - n - 6 - 1 >= 0 up to 8 digits
  assert.equal(printed('+12345671Mi'), '+12345671Mi');
  assert.equal(printed('+123456781Mi'), '123456781Mi');
  // Ei: 15 - n - 18 - 1 < 0 always
  assert.equal(printed('+1Ei'), '1Ei');
});

test('BinarySI below one unit is DecimalSI; exactly one unit stays BinarySI (quantity.go: amount < 1 && amount > 0)', () => {
  const one = parseQuantityExact('0.0009765625Ki');
  assert.ok(one.ok);
  assert.equal(one.quantity.nanos, 10n ** 9n);
  assert.equal(one.quantity.format, 'BinarySI');
  const below = parseQuantityExact('0.0009765624Ki');
  assert.ok(below.ok);
  assert.equal(below.quantity.format, 'DecimalSI');
  const zero = parseQuantityExact('0Ki');
  assert.ok(zero.ok);
  assert.equal(zero.quantity.format, 'BinarySI', 'zero is not "below one unit"');
});
