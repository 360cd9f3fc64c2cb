// quantity.ts's messages word for word (issue 19: its hints reach every denial of a bad quantity, so
// string mutants count): the API server's text (quantity.go ErrFormatWrong / ErrSuffix, checked against
// Go in quantity.test.ts), then our hint in parentheses, then what is allowed. The suggestions' values
// are worked out by hand from suffix.go (k = 10^3, Ki = 2^10, m = 10^-3, M = 10^6, Mi = 2^20).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERR_FORMAT_WRONG, ERR_SUFFIX, parseJsonQuantity, parseQuantity } from '../../src/core/quantity.js';

const SUFFIXES = 'suffixes n u m k M G T P E (powers of 1000), Ki Mi Gi Ti Pi Ei (powers of 1024) or e<N> (×10^N), e.g. 30, 500m, 1k, 1Gi';
const FORMAT_TAIL = `; allowed ${SUFFIXES}`;
const SUFFIX_TAIL = `; ${ERR_FORMAT_WRONG} with one of the ${SUFFIXES}`;

function err(input: unknown, parse: (x: never) => ReturnType<typeof parseQuantity> = parseQuantity): string {
  const r = parse(input as never);
  assert.equal(r.ok, false, `${JSON.stringify(input)} should be refused`);
  return r.ok ? '' : r.error;
}

test('a format error: the value, the API server text, and the suffixes allowed', () => {
  assert.equal(err('1Q'), `invalid quantity "1Q": ${ERR_FORMAT_WRONG}${FORMAT_TAIL}`);
  assert.equal(err('abc'), `invalid quantity "abc": ${ERR_FORMAT_WRONG}${FORMAT_TAIL}`);
  assert.equal(err('1b'), `invalid quantity "1b": ${ERR_FORMAT_WRONG}${FORMAT_TAIL}`, 'one letter is no byte unit');
  assert.equal(err('1 x'), `invalid quantity "1 x": ${ERR_FORMAT_WRONG}${FORMAT_TAIL}`, 'without the space still no quantity');
  assert.equal(err('x%'), `invalid quantity "x%": ${ERR_FORMAT_WRONG}${FORMAT_TAIL}`, 'without the sign still no quantity');
});

test('a suffix error: the API server text, a suggestion, and the grammar with the suffixes', () => {
  assert.equal(err('1K'), `invalid quantity "1K": ${ERR_SUFFIX} (did you mean 1k (= 1000) or 1Ki (= 1024)?)${SUFFIX_TAIL}`);
  assert.equal(err('1ki'), `invalid quantity "1ki": ${ERR_SUFFIX} (did you mean 1k (= 1000) or 1Ki (= 1024)?)${SUFFIX_TAIL}`);
  assert.equal(err('2mi'), `invalid quantity "2mi": ${ERR_SUFFIX} (did you mean 2Mi (= 2097152)?)${SUFFIX_TAIL}`);
});

test('hints: spaces, a percent sign, byte units (both readings, with the sign and the fraction kept)', () => {
  assert.equal(err('1 k'), `invalid quantity "1 k": ${ERR_FORMAT_WRONG} (remove the spaces: 1k)${FORMAT_TAIL}`);
  assert.equal(err(' 2 50 m'), `invalid quantity " 2 50 m": ${ERR_FORMAT_WRONG} (remove the spaces: 250m)${FORMAT_TAIL}`);
  assert.equal(
    err('30%'),
    `invalid quantity "30%": ${ERR_FORMAT_WRONG} (a quantity has no percent sign: write 30, or use a Utilization target with averageUtilization: 30 for a percentage of requests)${FORMAT_TAIL}`,
  );
  // 1MB: every suffix that reads "m" case-insensitively, and the binary one for bytes
  assert.equal(err('1MB'), `invalid quantity "1MB": ${ERR_FORMAT_WRONG} (did you mean 1m (= 0.001) or 1M (= 1000000) or 1Mi (= 1048576)?)${FORMAT_TAIL}`);
  assert.equal(err('3GiB'), `invalid quantity "3GiB": ${ERR_FORMAT_WRONG} (did you mean 3Gi (= 3221225472)?)${FORMAT_TAIL}`);
  // -1.0005k = -1000.5; -1.0005Ki = -1.0005 × 1024 = -1024.512: a negative value with a whole part
  // carries its sign once
  assert.equal(err('-1.0005kb'), `invalid quantity "-1.0005kb": ${ERR_FORMAT_WRONG} (did you mean -1.0005k (= -1000.5) or -1.0005Ki (= -1024.512)?)${FORMAT_TAIL}`);
  // -0.25m = -0.00025: no whole part, the sign is written before the 0
  assert.equal(err('-.25mb'), `invalid quantity "-.25mb": ${ERR_FORMAT_WRONG} (did you mean -.25m (= -0.00025) or -.25M (= -250000) or -.25Mi (= -262144)?)${FORMAT_TAIL}`);
  // +2 stays positive
  assert.equal(err('+2kb'), `invalid quantity "+2kb": ${ERR_FORMAT_WRONG} (did you mean +2k (= 2000) or +2Ki (= 2048)?)${FORMAT_TAIL}`);
});

test('what is neither a string nor a number, and numbers that are no quantity', () => {
  assert.equal(err(true), `invalid quantity of type boolean: must be a string or a number; ${ERR_FORMAT_WRONG}`);
  assert.equal(err(null), `invalid quantity of type null: must be a string or a number; ${ERR_FORMAT_WRONG}`);
  assert.equal(err([1]), `invalid quantity of type array: must be a string or a number; ${ERR_FORMAT_WRONG}`);
  assert.equal(err({}), `invalid quantity of type object: must be a string or a number; ${ERR_FORMAT_WRONG}`);
  assert.equal(err(Number.NaN), `invalid quantity NaN: ${ERR_FORMAT_WRONG}`);
  assert.equal(err(Number.NEGATIVE_INFINITY), `invalid quantity -Infinity: ${ERR_FORMAT_WRONG}`);
});

test('parseJsonQuantity: escaped white space around the value is named, with the fix', () => {
  const tail = `; remove it (a YAML block scalar \`|\` ends in a newline: write the quantity on the key's line)`;
  assert.equal(
    err('1\n', parseJsonQuantity),
    `invalid quantity "1\\n": ${ERR_FORMAT_WRONG} (the API server trims only plain spaces from the JSON text, and this value has escaped white space around it: 1\\n${tail}`,
  );
  // the plain spaces around it are trimmed first; only the escaped part is shown
  assert.equal(
    err(' \t500m ', parseJsonQuantity),
    `invalid quantity " \\t500m ": ${ERR_FORMAT_WRONG} (the API server trims only plain spaces from the JSON text, and this value has escaped white space around it: \\t500m${tail}`,
  );
  const ok = parseJsonQuantity('\u00a0 500m \u3000');
  assert.ok(ok.ok && ok.quantity.milliValue() === 500n, 'raw Unicode spaces are trimmed like Go');
  const n = parseJsonQuantity(2);
  assert.ok(n.ok && n.quantity.value() === 2n);
});
