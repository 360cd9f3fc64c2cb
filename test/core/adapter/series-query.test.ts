// What a seriesQuery says offline (series-query.ts), branch by branch (issue 19). The grammar is PromQL's
// series selector (prometheus/promql/parser: `name{label op "value", ...}`, Prometheus 3's quoted names
// `{"name", "l"="v"}`); string literals use Go's escapes (strconv.Unquote: \a \b \f \n \r \t \v \\ \' \",
// \xHH, \uHHHH, \UHHHHHHHH, \ooo); a missing label reads as "" (so `l!=""` means "has l").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { literalAlternatives, parseSeriesQuery } from '../../../src/core/adapter/series-query.js';

const sorted = (s: Set<string>) => [...s].sort();

test('a plain name, with and without braces and spaces', () => {
  for (const q of ['gpu_util', ' gpu_util ', 'gpu_util{}', 'gpu_util { }']) {
    const r = parseSeriesQuery(q);
    assert.deepEqual(r.names, ['gpu_util'], q);
    assert.equal(r.parsed, true, q);
    assert.equal(r.namesUnknownBecause, '', q);
    assert.equal(r.nameRegex, null, q);
  }
  assert.deepEqual(parseSeriesQuery('a:b_c9').names, ['a:b_c9'], 'colons and digits after the first character');
});

test('labels: present when the matcher rejects "", absent when it accepts only ""', () => {
  const r = parseSeriesQuery('m{a!="", b="x", c="", d=~".+", e=~".*", f!~"", g!~".*", h=~"", i!="x", j=~"|", k!~"x"}');
  assert.deepEqual(sorted(r.present), ['a', 'b', 'd', 'f', 'g'], 'g!~".*" rejects every value, "" included');
  assert.deepEqual(sorted(r.absent), ['c', 'h', 'j']);
  assert.deepEqual(
    r.matchers.map((m) => `${m.label}${m.op}${m.value}`),
    ['a!=', 'b=x', 'c=', 'd=~.+', 'e=~.*', 'f!~', 'g!~.*', 'h=~', 'i!=x', 'j=~|', 'k!~x'],
  );
  // a regex that does not compile says nothing about the label either way
  const bad = parseSeriesQuery('m{a=~"(", b!~"("}');
  assert.deepEqual(sorted(bad.present), []);
  assert.deepEqual(sorted(bad.absent), []);
  assert.equal(bad.parsed, true);
  // PromQL anchors label regexes: "x|" accepts "" (the empty alternative), "x" does not
  const anchored = parseSeriesQuery('m{a=~"x|", b=~"x"}');
  assert.deepEqual(sorted(anchored.present), ['b']);
  assert.deepEqual(sorted(anchored.absent), [], 'a may be x');
});

test('__name__: "=" names the metric, "=~" with literal alternatives names them all (once), a regex cannot be expanded', () => {
  assert.deepEqual(parseSeriesQuery('{__name__="gpu_util", pod!=""}').names, ['gpu_util']);
  const alts = parseSeriesQuery('{__name__=~"a|b_total|a"}');
  assert.deepEqual(alts.names, ['a', 'b_total']);
  assert.equal(alts.nameRegex, null);
  const re = parseSeriesQuery('{__name__=~"DCGM_.*", pod!=""}');
  assert.equal(re.names, null);
  assert.equal(re.nameRegex, 'DCGM_.*');
  assert.equal(re.namesUnknownBecause, "its seriesQuery selects metric names by the regex 'DCGM_.*', which only Prometheus can expand");
  assert.deepEqual(sorted(re.present), ['pod'], '__name__ is not a label of the result');
  // a name already given wins over a later __name__ matcher; other __name__ operators select nothing new
  assert.deepEqual(parseSeriesQuery('gpu{__name__="other"}').names, ['gpu']);
  assert.deepEqual(parseSeriesQuery('gpu{__name__=~"x.*"}').names, ['gpu']);
  assert.equal(parseSeriesQuery('gpu{__name__=~"x.*"}').nameRegex, null);
  const neq = parseSeriesQuery('{__name__!="a", pod!=""}');
  assert.equal(neq.names, null);
  assert.equal(neq.namesUnknownBecause, `its seriesQuery '{__name__!="a", pod!=""}' does not name a metric (it selects every series with those labels)`);
  assert.deepEqual(sorted(neq.present), ['pod']);
  const noName = parseSeriesQuery('{pod!=""}');
  assert.equal(noName.names, null);
  assert.equal(noName.parsed, true);
  assert.equal(noName.namesUnknownBecause, `its seriesQuery '{pod!=""}' does not name a metric (it selects every series with those labels)`);
});

test('Prometheus 3 quoted names: a bare string in the braces is the metric; quoted labels are labels', () => {
  const q = parseSeriesQuery('{"gpu.util", "k8s.pod"!=""}');
  assert.deepEqual(q.names, ['gpu.util']);
  assert.deepEqual(sorted(q.present), ['k8s.pod']);
  // two names, or a name beside a quoted one, is not a selector
  const two = parseSeriesQuery('gpu{"other"}');
  assert.equal(two.parsed, false);
  assert.equal(two.names, null);
  assert.equal(parseSeriesQuery('{"a", "b"}').parsed, false);
});

test('string literals: the three quotes and Go escapes', () => {
  const v = (lit: string) => parseSeriesQuery(`m{l=${lit}}`).matchers[0]?.value;
  assert.equal(v(`"a\\"b"`), 'a"b');
  assert.equal(v(`'a\\'b'`), "a'b");
  assert.equal(v('`a\\nb`'), 'a\\nb', 'raw strings keep the backslash');
  assert.equal(v(`"\\n\\t\\r\\\\\\a\\b\\f\\v"`), '\n\t\r\\\x07\b\f\v');
  assert.equal(v(`"\\x41\\u00e9\\U0001F600\\101"`), 'Aé😀A');
  assert.equal(v(`"a'b"`), "a'b", 'the other quote is an ordinary character');
  // an unknown escape, a short \x, a backslash at the end, an unterminated string: unreadable
  for (const bad of [`"\\q"`, `"\\x4"`, `"\\`, `"abc`, `'abc"`]) {
    const r = parseSeriesQuery(`m{l=${bad}}`);
    assert.equal(r.parsed, false, bad);
    assert.equal(r.names, null, bad);
  }
});

test('what is not one series selector is unknowable, with the reason and the matchers read so far', () => {
  const cases: Array<[string, string]> = [
    ['m{1a="x"}', 'is not a series selector this checker can read'],
    ['m{a}', 'is not a series selector this checker can read'],
    ['m{a=x}', 'is not a series selector this checker can read'],
    ['m{a="x" b="y"}', 'is not a series selector this checker can read'],
    ['m{a="x"', 'is not a series selector this checker can read'],
    ['rate(m[5m])', 'is not a single series selector this checker can read'],
    ['m + n', 'is not a single series selector this checker can read'],
    ['{}', 'is not a single series selector this checker can read'],
    ['', 'is not a single series selector this checker can read'],
  ];
  for (const [q, why] of cases) {
    const r = parseSeriesQuery(q);
    assert.equal(r.parsed, false, q);
    assert.equal(r.names, null, q);
    assert.equal(r.nameRegex, null, q);
    assert.equal(r.namesUnknownBecause, `the seriesQuery '${q}' ${why}`, q);
    assert.equal(r.present.size + r.absent.size, 0, q);
  }
  assert.deepEqual(
    parseSeriesQuery('m{a="x", b="y" c}').matchers.map((m) => m.label),
    ['a', 'b'],
  );
  // a trailing comma is allowed (PromQL's grammar accepts it)
  assert.deepEqual(parseSeriesQuery('m{a="x",}').matchers.length, 1);
  assert.equal(parseSeriesQuery('m{a="x",}').parsed, true);
});

test('literalAlternatives: anchors, one group, escapes; null at the first operator', () => {
  assert.deepEqual(literalAlternatives('a|b_total|c:d'), ['a', 'b_total', 'c:d']);
  assert.deepEqual(literalAlternatives('^(?:a|b)$'), ['a', 'b']);
  assert.deepEqual(literalAlternatives('(a|b)'), ['a', 'b']);
  assert.deepEqual(literalAlternatives('^a$'), ['a']);
  assert.deepEqual(literalAlternatives('a\\.b'), ['a.b'], 'an escaped punctuation character is literal');
  assert.deepEqual(literalAlternatives('a\\$'), ['a$'], 'an escaped dollar is not the anchor');
  assert.deepEqual(literalAlternatives(''), ['']);
  assert.deepEqual(literalAlternatives('a|'), ['a', '']);
  assert.equal(literalAlternatives('a.b'), null);
  assert.equal(literalAlternatives('a\\d'), null, 'an escaped letter is a class');
  assert.equal(literalAlternatives('a\\'), null, 'a trailing backslash');
  assert.equal(literalAlternatives('a*'), null);
  assert.equal(literalAlternatives('(a)|(b)'), null, 'two groups: not one group around everything');
  assert.equal(literalAlternatives('(a))('), null);
  assert.equal(literalAlternatives('(a\\)'), null, 'the closing parenthesis is escaped');
  assert.equal(literalAlternatives('((a)'), null);
});
