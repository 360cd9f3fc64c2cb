// The namer's messages word for word (issue 19: string mutants count for files that build warnings):
// the errors are pkg/naming/metric_namer.go's fmt.Errorf texts (%q is Go's quoted string, JSON.stringify
// for these ASCII inputs), wrapping Go's regexp/syntax errors; the warnings of asTemplateWarnings and the
// reasons of metricNameForSeries are ours, and reach AdmissionResponse warnings and denials
// (registry.ts prefixes the rule's label).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DiscoveryRule } from '../../../src/core/adapter/config.js';
import { compileGoRegexp } from '../../../src/core/adapter/go-regexp.js';
import { asTemplateWarnings, compileNamer, couldProduce, metricNameForSeries, newReMatcher } from '../../../src/core/adapter/naming.js';

function rule(name: { matches?: string; as?: string }, seriesFilters: Array<{ is?: string; isNot?: string }> = []): DiscoveryRule {
  return {
    seriesQuery: 'up',
    seriesFilters: seriesFilters.map((f) => ({ is: f.is ?? '', isNot: f.isNot ?? '' })),
    resources: { template: '', overrides: {} } as never,
    name: { matches: name.matches ?? '', as: name.as ?? '' },
    metricsQuery: '',
    line: 1,
  };
}

function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '(nothing thrown)';
}

test('newReMatcher and compileNamer: the adapter errors in full, with Go regexp/syntax errors inside', () => {
  assert.equal(
    thrown(() => newReMatcher({ is: 'a', isNot: 'b' }, 'o')),
    'cannot have both an `is` ("a") and `isNot` ("b") expression in a single filter',
  );
  assert.equal(
    thrown(() => newReMatcher({ is: '', isNot: '' }, 'o')),
    'must have either an `is` or `isNot` expression in a filter',
  );
  // regexp/syntax: ErrMissingParen names the whole expression, ErrMissingBracket the class from "["
  assert.equal(
    thrown(() => newReMatcher({ is: '(', isNot: '' }, 'o')),
    'unable to compile series filter "(": error parsing regexp: missing closing ): `(`',
  );
  assert.equal(
    thrown(() => newReMatcher({ is: '', isNot: 'a[' }, 'o')),
    'unable to compile series filter "a[": error parsing regexp: missing closing ]: `[`',
  );
  assert.equal(
    thrown(() => compileNamer(rule({}, [{ is: 'x' }, { is: '', isNot: '' }]))),
    'unable to generate series name filter associated with series query "up": must have either an `is` or `isNot` expression in a filter',
  );
  assert.equal(
    thrown(() => compileNamer(rule({ matches: 'a(' }))),
    'unable to generate series name filter from name rules associated with series query "up": unable to compile series filter "a(": error parsing regexp: missing closing ): `a(`',
  );
  assert.equal(
    thrown(() => compileNamer(rule({ matches: '(a)(b)(c)' }))),
    `must specify an 'as' value for name matcher "(a)(b)(c)" associated with series query "up"`,
  );
});

test('compileNamer: each filter says where it came from, in order; name.matches comes last', () => {
  const n = compileNamer(rule({ matches: 'gpu_(.*)' }, [{ is: '^gpu' }, { isNot: '_temp$' }]));
  assert.deepEqual(
    n.matchers.map((m) => [m.origin, m.positive]),
    [
      ["seriesFilters[0] is '^gpu'", true],
      ["seriesFilters[1] isNot '_temp$'", false],
      ["name.matches 'gpu_(.*)'", true],
    ],
  );
  assert.equal(n.nameAs, '$1');
  assert.equal(n.nameMatches.source, 'gpu_(.*)');
});

test('metricNameForSeries: the reason names the series and the filter, or the pattern it did not match', () => {
  const n = compileNamer(rule({ matches: 'gpu_(.*)' }, [{ isNot: '_temp$' }]));
  assert.deepEqual(metricNameForSeries(n, 'gpu_core_temp'), { ok: false, reason: "series gpu_core_temp is dropped by seriesFilters[0] isNot '_temp$'" });
  assert.deepEqual(metricNameForSeries(n, 'cpu_util'), { ok: false, reason: "series cpu_util is dropped by name.matches 'gpu_(.*)'" });
  assert.deepEqual(metricNameForSeries(n, 'gpu_util'), { ok: true, name: 'util' });
  // MetricNameForSeries' own error (metric_namer.go:140): unreachable through compileNamer, where
  // name.matches is also the last filter, but the function answers it for any namer
  const bare = { ...compileNamer(rule({})), nameMatches: compileGoRegexp('^gpu_(.*)$') };
  assert.deepEqual(metricNameForSeries(bare, 'cpu_util'), { ok: false, reason: 'series name "cpu_util" did not match expected pattern "^gpu_(.*)$"' });
  assert.deepEqual(metricNameForSeries(bare, 'gpu_util'), { ok: true, name: 'gpu_util' }, 'the template is still $0');
});

test('couldProduce: $$ is one dollar in every literal piece, before, between and after references', () => {
  const after = compileNamer(rule({ matches: '^(a)$', as: '${1}$$' }));
  assert.equal(couldProduce(after, 'a$'), true);
  assert.equal(couldProduce(after, 'a$$'), true, 'the reference may expand to "a$"');
  assert.equal(couldProduce(after, 'a'), false, 'the dollar is required');
  const before = compileNamer(rule({ matches: '^(a)$', as: '$$${1}' }));
  assert.equal(couldProduce(before, '$x'), true);
  assert.equal(couldProduce(before, 'x'), false);
  // a lone "$" that names nothing is literal text (regexp.Expand: "Malformed; treat $ as raw text")
  const lone = compileNamer(rule({ matches: '^a$', as: 'cost$' }));
  assert.equal(couldProduce(lone, 'cost$'), true);
  assert.equal(couldProduce(lone, 'cost'), false);
});

test('asTemplateWarnings: every warning in full', () => {
  assert.deepEqual(asTemplateWarnings(compileNamer(rule({ matches: '^(a)(b)$', as: '${3}' }))), ['name.as "${3}" uses ${3} but name.matches "^(a)(b)$" has 2 capture group(s): it expands to ""']);
  assert.deepEqual(asTemplateWarnings(compileNamer(rule({ matches: '^(a)$', as: 'x_$12_total' }))), [
    'name.as "x_$12_total": Go reads $12_total as the group named "12_total", which does not exist, so it expands to "" — write ${12}_total',
  ]);
  assert.deepEqual(asTemplateWarnings(compileNamer(rule({ matches: '^(a)$', as: '$a1b' }))), ['name.as "$a1b" refers to group "a1b", which name.matches "^(a)$" does not define: it expands to ""']);
  assert.deepEqual(asTemplateWarnings(compileNamer(rule({ matches: '^(?P<a1b>a)$', as: '$a1b' }))), [], 'a named group that exists');
  // exactly the number of groups is fine; one more is not
  assert.deepEqual(asTemplateWarnings(compileNamer(rule({ matches: '^(a)(b)$', as: '$2' }))), []);
  assert.equal(asTemplateWarnings(compileNamer(rule({ matches: '^(a)(b)$', as: '$3' }))).length, 1);
});
