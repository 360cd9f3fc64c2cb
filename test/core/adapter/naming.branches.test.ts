// prometheus-adapter's metric namer (pkg/naming/metric_namer.go, regex_matcher.go), branch by branch
// (issue 19): each error of NamersFromConfig with the rule it names, the default `as` for zero, one and
// two capture groups, both reasons a series gives no name, and the template checks (couldProduce,
// asTemplateWarnings) with the neighbour that must stay silent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DiscoveryRule } from '../../../src/core/adapter/config.js';
import { asTemplateWarnings, compileNamer, couldProduce, metricNameForSeries, newReMatcher, reMatches } from '../../../src/core/adapter/naming.js';

function rule(name: { matches?: string; as?: string }, seriesFilters: Array<{ is?: string; isNot?: string }> = []): DiscoveryRule {
  return {
    seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{pod!=""}',
    seriesFilters: seriesFilters.map((f) => ({ is: f.is ?? '', isNot: f.isNot ?? '' })),
    resources: { template: '', overrides: {} } as never,
    name: { matches: name.matches ?? '', as: name.as ?? '' },
    metricsQuery: '',
    line: 1,
  };
}

test("newReMatcher: exactly one of is / isNot, with the adapter's messages", () => {
  assert.throws(() => newReMatcher({ is: 'a', isNot: 'b' }, 'o'), /cannot have both an `is` \("a"\) and `isNot` \("b"\) expression in a single filter/);
  assert.throws(() => newReMatcher({ is: '', isNot: '' }, 'o'), /must have either an `is` or `isNot` expression in a filter/);
  assert.throws(() => newReMatcher({ is: '(', isNot: '' }, 'o'), /unable to compile series filter "\("/);
  assert.throws(() => newReMatcher({ is: '', isNot: 'a[' }, 'o'), /unable to compile series filter "a\["/);
  const is = newReMatcher({ is: '^gpu', isNot: '' }, 'origin-1');
  assert.equal(is.positive, true);
  assert.equal(is.origin, 'origin-1');
  assert.equal(reMatches(is, 'gpu_util'), true);
  assert.equal(reMatches(is, 'cpu'), false);
  const isNot = newReMatcher({ is: '', isNot: '^gpu' }, 'o');
  assert.equal(isNot.positive, false);
  assert.equal(reMatches(isNot, 'gpu_util'), false);
  assert.equal(reMatches(isNot, 'cpu'), true);
});

test('compileNamer: errors name the series query and what failed', () => {
  assert.throws(() => compileNamer(rule({}, [{ is: 'a', isNot: 'b' }])), /unable to generate series name filter associated with series query "DCGM_FI_DEV_GPU_UTIL\{pod!=\\"\\"\}": cannot have both/);
  assert.throws(
    () => compileNamer(rule({ matches: '(' })),
    /unable to generate series name filter from name rules associated with series query "DCGM_FI_DEV_GPU_UTIL.*unable to compile series filter "\("/,
  );
  assert.throws(() => compileNamer(rule({ matches: '^(a)_(b)$' })), /must specify an 'as' value for name matcher "\^\(a\)_\(b\)\$" associated with series query "DCGM/);
});

test('compileNamer: the default `as` is $0 without groups and $1 with one; a given `as` is kept', () => {
  const none = compileNamer(rule({ matches: '^DCGM_FI_DEV_GPU_UTIL$' }));
  assert.equal(none.nameAs, '$0');
  assert.equal(none.defaultedAs, true);
  const one = compileNamer(rule({ matches: '^DCGM_FI_DEV_(.*)$' }));
  assert.equal(one.nameAs, '$1');
  assert.equal(one.defaultedAs, true);
  const given = compileNamer(rule({ matches: '^DCGM_(.*)_(.*)$', as: 'gpu_$2' }));
  assert.equal(given.nameAs, 'gpu_$2');
  assert.equal(given.defaultedAs, false);
  // no matches: everything matches, and the name is the series name
  const all = compileNamer(rule({}));
  assert.equal(all.nameAs, '$0');
  assert.equal(all.matchers.length, 0);
  assert.deepEqual(metricNameForSeries(all, 'anything'), { ok: true, name: 'anything' });
  // name.matches also filters: it is the last matcher, after the seriesFilters
  const filtered = compileNamer(rule({ matches: 'UTIL' }, [{ isNot: 'TEMP' }]));
  assert.deepEqual(
    filtered.matchers.map((m) => m.origin),
    ["seriesFilters[0] isNot 'TEMP'", "name.matches 'UTIL'"],
  );
  const isFilter = compileNamer(rule({}, [{ is: 'GPU' }]));
  assert.deepEqual(
    isFilter.matchers.map((m) => m.origin),
    ["seriesFilters[0] is 'GPU'"],
  );
  assert.equal(filtered.seriesQuery, 'DCGM_FI_DEV_GPU_UTIL{pod!=""}');
});

test('metricNameForSeries: the name from the template, or why the series gives none', () => {
  const n = compileNamer(rule({ matches: '^DCGM_FI_DEV_(.*)$', as: 'gpu_${1}_x' }, [{ isNot: 'TEMP' }]));
  assert.deepEqual(metricNameForSeries(n, 'DCGM_FI_DEV_GPU_UTIL'), { ok: true, name: 'gpu_GPU_UTIL_x' });
  const dropped = metricNameForSeries(n, 'DCGM_FI_DEV_GPU_TEMP');
  assert.deepEqual(dropped, { ok: false, reason: "series DCGM_FI_DEV_GPU_TEMP is dropped by seriesFilters[0] isNot 'TEMP'" });
  const unmatched = metricNameForSeries(n, 'node_cpu');
  assert.equal(unmatched.ok, false);
  assert.match(unmatched.ok ? '' : unmatched.reason, /dropped by name\.matches/);
  // a matcher that passes but an extraction that fails cannot happen with the same regex; with no
  // name.matches the extraction is ".*" and always matches
  const unanchored = compileNamer(rule({ matches: 'GPU_(UTIL)' }));
  assert.deepEqual(metricNameForSeries(unanchored, 'DCGM_FI_DEV_GPU_UTIL_X'), { ok: true, name: 'UTIL' }, 'unanchored matching, as Go');
});

test('couldProduce: exact for literal templates ($$ is a dollar), a pattern of the literal pieces otherwise', () => {
  const lit = compileNamer(rule({ matches: '^x$', as: 'gpu_util' }));
  assert.equal(couldProduce(lit, 'gpu_util'), true);
  assert.equal(couldProduce(lit, 'gpu_utilization'), false);
  const dollar = compileNamer(rule({ matches: '^x$', as: 'cost$$' }));
  assert.equal(couldProduce(dollar, 'cost$'), true);
  assert.equal(couldProduce(dollar, 'cost$$'), false);
  const tmpl = compileNamer(rule({ matches: '^DCGM_(.*)$', as: 'gpu.${1}_total' }));
  assert.equal(couldProduce(tmpl, 'gpu.util_total'), true);
  assert.equal(couldProduce(tmpl, 'gpu._total'), true, 'a group may expand to ""');
  assert.equal(couldProduce(tmpl, 'gpuXutil_total'), false, 'the dot is literal');
  assert.equal(couldProduce(tmpl, 'gpu.util_total_x'), false, 'anchored at the end');
  assert.equal(couldProduce(tmpl, 'x_gpu.util_total'), false, 'anchored at the start');
  const two = compileNamer(rule({ matches: '^(a)(b)$', as: '$1-$$-$2' }));
  assert.equal(couldProduce(two, 'a-$-b'), true);
  assert.equal(couldProduce(two, 'a-$$-b'), false);
  assert.equal(couldProduce(two, 'a+$-b'), false, 'the dash is literal');
  // a dash in the template: escaping it made an invalid u-flag regex, and every lookup threw
  const dashed = compileNamer(rule({ matches: '^DCGM_(.*)$', as: 'gpu-${1}' }));
  assert.equal(couldProduce(dashed, 'gpu-util'), true);
  assert.equal(couldProduce(dashed, 'gpu_util'), false);
  const special = compileNamer(rule({ matches: '^(a)$', as: '(x)[y]{z}|+?*^/\\$1' }));
  assert.equal(couldProduce(special, '(x)[y]{z}|+?*^/\\q'), true);
  assert.equal(couldProduce(special, 'x[y]{z}|+?*^/\\q'), false);
});

test("asTemplateWarnings: references past the groups, unknown names and Go's greedy $1x; valid references are silent", () => {
  const ok = compileNamer(rule({ matches: '^(?P<kind>a)_(b)$', as: '${kind}-$2-$1-$$0' }));
  assert.deepEqual(asTemplateWarnings(ok), []);
  const past = asTemplateWarnings(compileNamer(rule({ matches: '^(a)$', as: 'x_$2' })));
  assert.equal(past.length, 1);
  assert.match(past[0]!, /uses \$2 but name\.matches "\^\(a\)\$" has 1 capture group\(s\): it expands to ""/);
  const greedy = asTemplateWarnings(compileNamer(rule({ matches: '^(a)$', as: '$1_total' })));
  assert.equal(greedy.length, 1);
  assert.match(greedy[0]!, /Go reads \$1_total as the group named "1_total", which does not exist/);
  assert.match(greedy[0]!, /write \$\{1\}_total/);
  const unknown = asTemplateWarnings(compileNamer(rule({ matches: '^(a)$', as: '${nope}' })));
  assert.equal(unknown.length, 1);
  assert.match(unknown[0]!, /refers to group "nope", which name\.matches "\^\(a\)\$" does not define/);
  const bracedDigits = asTemplateWarnings(compileNamer(rule({ matches: '^(a)$', as: '${1x}' })));
  assert.match(bracedDigits[0]!, /refers to group "1x"/, 'braced: not the greedy reading');
  const several = asTemplateWarnings(compileNamer(rule({ matches: '^(a)$', as: '$3_${zz}' })));
  assert.equal(several.length, 2);
  assert.deepEqual(asTemplateWarnings(compileNamer(rule({ matches: '^(a)$', as: '$1' }))), []);
  assert.deepEqual(asTemplateWarnings(compileNamer(rule({ matches: '^a$', as: '$0' }))), []);
});
