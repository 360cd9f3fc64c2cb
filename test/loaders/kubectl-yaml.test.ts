// kubectl's YAML flavour (sigs.k8s.io/yaml v1.6.0 over go.yaml.in/yaml/v2 v2.4.3). The expected
// values follow resolve.go's rules (resolveMapList, ParseInt(s, 0, 64) after removing "_",
// yamlStyleFloat) and decode.go (setMapIndex overwrites; merge); the differential e2e test checks
// the same files against the API server's own YAMLToJSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeKubectlYaml, goResolve } from '../../src/loaders/kubectl-yaml.js';

const one = (text: string): unknown => {
  const docs = decodeKubectlYaml(text);
  assert.equal(docs.length, 1);
  assert.equal(docs[0]!.error, undefined, docs[0]!.error);
  return docs[0]!.value;
};

test('plain scalars resolve as goyaml.v2 resolves them (YAML 1.1 flavour)', () => {
  const cases: Array<[string, unknown]> = [
    ['010', 8],
    ['0o17', 15],
    ['0x1F', 31],
    ['0b101', 5],
    ['1_000', 1000],
    ['+5', 5],
    ['-0b11', -3],
    ['08', 8],
    ['09', 9],
    ['1e3', 1000],
    ['.5', 0.5],
    ['1.0', 1],
    ['yes', true],
    ['Yes', true],
    ['YES', true],
    ['y', true],
    ['Y', true],
    ['on', true],
    ['ON', true],
    ['no', false],
    ['n', false],
    ['off', false],
    ['true', true],
    ['False', false],
    ['~', null],
    ['null', null],
    ['NULL', null],
    ['', null],
    ['1:20', '1:20'],
    ['yES', 'yES'],
    ['0x', '0x'],
    ['1e400', '1e400'],
    ['2001-12-14', '2001-12-14'],
    // eslint-disable-next-line no-loss-of-precision -- the YAML text parses to this same (rounded) double: that is the point
    ['12345678901234567890', 12345678901234567890],
    ['0b12', '0b12'],
    ['_1', '_1'],
    ['1__0', 10],
  ];
  for (const [text, want] of cases) assert.deepEqual(goResolve('', text).value, want, text);
});

test('quoted, block and !!str scalars stay strings; other tags resolve or fail as in goyaml', () => {
  assert.deepEqual(one('a: "010"\nb: \'yes\'\nc: |\n  1\nd: >-\n  1\ne: !!str 010\nf: !!int "010"\ng: !!float 1\n'), { a: '010', b: 'yes', c: '1\n', d: '1', e: '010', f: 8, g: 1 });
  assert.match(decodeKubectlYaml('a: !!int abc\n')[0]!.error ?? '', /cannot decode !!str `abc` as a !!int/);
});

test('a repeated key: the last one wins; merge keys; boolean and number keys become strings', () => {
  assert.deepEqual(one('a: 1\na: 2\n'), { a: 2 });
  assert.deepEqual(one('base: &b {x: 1, z: 1}\nm:\n  <<: *b\n  z: 2\n'), { base: { x: 1, z: 1 }, m: { x: 1, z: 2 } });
  assert.deepEqual(one('m:\n  z: 2\n  <<: [{z: 3, w: 1}, {w: 2}]\n'), { m: { z: 3, w: 1 } });
  assert.deepEqual(one('y: 1\nno: 2\n010: 3\n'), { true: 1, false: 2, '8': 3 });
  assert.deepEqual(one('__proto__: {a: 1}\n'), JSON.parse('{"__proto__": {"a": 1}}'));
});

test('what YAMLToJSON cannot convert is an error for that document', () => {
  assert.match(decodeKubectlYaml('a: .inf\n')[0]!.error ?? '', /unsupported value: \+Inf/);
  assert.match(decodeKubectlYaml('a: .nan\n')[0]!.error ?? '', /unsupported value: NaN/);
  assert.match(decodeKubectlYaml('~: 1\n')[0]!.error ?? '', /unsupported map key/);
  assert.ok(decodeKubectlYaml('a: [1\n')[0]!.error);
  assert.ok(decodeKubectlYaml('a: *nope\n')[0]!.error);
});

test('JSON is read as JSON first (the last repeated key wins), flow YAML falls back to YAML', () => {
  assert.deepEqual(one('{"a": 1, "a": 2, "b": "010"}'), { a: 2, b: '010' });
  assert.deepEqual(one('{a: 010, b: yes}\n'), { a: 8, b: true });
  const docs = decodeKubectlYaml('a: 1\n---\n---\nb: [\n');
  assert.deepEqual(
    docs.map((d) => d.error === undefined),
    [true, true, false],
  );
});
