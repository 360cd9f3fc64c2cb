// YAML read as kubectl reads it, so `check` judges the object kubectl would send.
//
// kubectl (k8s.io/apimachinery pkg/util/yaml YAMLOrJSONDecoder) turns each YAML document into JSON
// with sigs.k8s.io/yaml v1.6.0 YAMLToJSON (yaml.go yamlToJSONTarget / convertToJSONableObject),
// which decodes with go.yaml.in/yaml/v2 v2.4.3 into interface{} values. So:
// - plain scalars resolve by goyaml.v2's resolve.go, a YAML 1.1 flavour: y/Y/yes/Yes/YES, n/N/no/No/NO,
//   true/false, on/On/ON, off/Off/OFF are booleans; "", ~, null/Null/NULL are null; integers go
//   through strconv.ParseInt(s, 0, 64) after removing every "_" (so 010 is 8, 0o17 is 15, 0x1F is 31,
//   0b101 is 5, 1_000 is 1000), then ParseUint, then floats matching yamlStyleFloat (08 is 8.0);
//   .inf/.nan are floats that encoding/json cannot write, so the document is refused; base-60
//   numbers (1:20) are strings. Quoted and block scalars are strings; an explicit !!str keeps the
//   text, other standard tags resolve as goyaml does.
// - a key written twice: decode.go setMapIndex overwrites in non-strict mode, so the last one wins;
//   `<<` merges mappings (earlier entries of a merged list take precedence), later keys win over it.
// - map keys become strings (convertToJSONableObject): true/false, integers in decimal, floats
//   formatted; a null key, or a map or list as a key, is an error.
// A file that is one JSON value is decoded as JSON (util/yaml YAMLOrJSONDecoder tries JSON first;
// encoding/json keeps the last of a repeated key too); anything else as YAML.
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node, type Scalar } from 'yaml';

export class YamlDecodeError extends Error {
  override name = 'YamlDecodeError';
}

const STR = 'tag:yaml.org,2002:str';
const INT = 'tag:yaml.org,2002:int';
const FLOAT = 'tag:yaml.org,2002:float';
const BOOL = 'tag:yaml.org,2002:bool';
const NULL = 'tag:yaml.org,2002:null';
const BINARY = 'tag:yaml.org,2002:binary';
const MERGE = 'tag:yaml.org,2002:merge';
const TIMESTAMP = 'tag:yaml.org,2002:timestamp';

type Resolved = { tag: string; value: unknown };

// resolve.go resolveMapList
const RESOLVE_MAP = new Map<string, Resolved>();
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) RESOLVE_MAP.set(s, { tag: BOOL, value: true });
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) RESOLVE_MAP.set(s, { tag: BOOL, value: false });
for (const s of ['', '~', 'null', 'Null', 'NULL']) RESOLVE_MAP.set(s, { tag: NULL, value: null });
for (const s of ['.nan', '.NaN', '.NAN']) RESOLVE_MAP.set(s, { tag: FLOAT, value: NaN });
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']) RESOLVE_MAP.set(s, { tag: FLOAT, value: Infinity });
for (const s of ['-.inf', '-.Inf', '-.INF']) RESOLVE_MAP.set(s, { tag: FLOAT, value: -Infinity });
RESOLVE_MAP.set('<<', { tag: MERGE, value: '<<' });

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseUint(s, 0, 64) without the sign: base prefix 0x/0o/0b, a leading 0 is octal. */
function parseUintBase0(s: string): bigint | undefined {
  let digits = s;
  let base = 10;
  if (/^0[xX]/.test(s)) [digits, base] = [s.slice(2), 16];
  else if (/^0[oO]/.test(s)) [digits, base] = [s.slice(2), 8];
  else if (/^0[bB]/.test(s)) [digits, base] = [s.slice(2), 2];
  else if (s.length > 1 && s[0] === '0') [digits, base] = [s.slice(1), 8];
  const ok = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!ok.test(digits)) return undefined;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  const v = BigInt(prefix + digits);
  return v <= UINT64_MAX ? v : undefined;
}

/** strconv.ParseInt(s, 0, 64) */
function parseIntBase0(s: string): bigint | undefined {
  const neg = s.startsWith('-');
  const body = s.startsWith('-') || s.startsWith('+') ? s.slice(1) : s;
  const u = parseUintBase0(body);
  if (u === undefined) return undefined;
  const v = neg ? -u : u;
  return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
}

/** goyaml.v2 resolve(tag, in) for a plain (or explicitly tagged) scalar. */
export function goResolve(tag: string, text: string): Resolved {
  // decode.go scalar(): a !!binary scalar is base64, decoded to its bytes as a string
  if (tag === BINARY) return { tag: STR, value: Buffer.from(text.replace(/\s/g, ''), 'base64').toString('latin1') };
  const resolvable = tag === '' || tag === STR || tag === BOOL || tag === INT || tag === FLOAT || tag === NULL || tag === TIMESTAMP;
  if (!resolvable) return { tag, value: text };
  const r = resolvePlain(tag, text);
  if (tag === '' || tag === r.tag || tag === STR) return r;
  if (tag === FLOAT && r.tag === INT) return { tag: FLOAT, value: r.value };
  throw new YamlDecodeError(`cannot decode ${shortTag(r.tag)} \`${text}\` as a ${shortTag(tag)}`);
}

function shortTag(t: string): string {
  return t.startsWith('tag:yaml.org,2002:') ? `!!${t.slice('tag:yaml.org,2002:'.length)}` : t;
}

function resolvePlain(tag: string, text: string): Resolved {
  const c = text[0] ?? '';
  const hint = /[0-9]/.test(c) ? 'D' : c === '+' || c === '-' ? 'S' : 'yYnNtTfFoO~'.includes(c) && c !== '' ? 'M' : c === '.' ? '.' : text === '' ? 'N' : '';
  if (hint === '' || tag === STR || tag === BINARY) return { tag: STR, value: text };
  const known = RESOLVE_MAP.get(text);
  if (known) return known;
  if (hint === '.') {
    if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text)) return { tag: FLOAT, value: Number(text) };
  } else if (hint === 'D' || hint === 'S') {
    // (a timestamp-looking value is kept as its text when decoding into interface{}: decode.go)
    const plain = text.replace(/_/g, '');
    const i = parseIntBase0(plain);
    if (i !== undefined) return { tag: INT, value: Number(i) };
    const u = plain.startsWith('+') || plain.startsWith('-') ? undefined : parseUintBase0(plain);
    if (u !== undefined) return { tag: INT, value: Number(u) };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = Number(plain);
      if (Number.isFinite(f)) return { tag: FLOAT, value: f }; // ParseFloat's range error leaves it a string
    }
  }
  return { tag: STR, value: text };
}

function scalarValue(s: Scalar): unknown {
  // the failsafe schema leaves every scalar a string, except tags the yaml package resolves anyway (!!binary)
  const text = typeof s.value === 'string' ? s.value : typeof s.source === 'string' ? s.source : String(s.value ?? '');
  const tag = s.tag ?? '';
  // decode.go scalar(): an untagged quoted or block scalar is a string; plain ones resolve
  if (tag === '' && s.type !== 'PLAIN' && s.type !== undefined) return text;
  if (tag === '' && s.type === undefined) return s.value; // a value this module made (never from the parser)
  return goResolve(tag === '!' ? STR : tag, text).value;
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** convertToJSONableObject's key conversion */
function keyString(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  if (typeof k === 'number') {
    if (Number.isNaN(k)) return '.nan';
    if (k === Infinity) return '.inf';
    if (k === -Infinity) return '-.inf';
    return String(k); // Go formats with strconv.FormatFloat(k, 'g', -1, 32); same for ordinary keys
  }
  throw new YamlDecodeError(`unsupported map key: ${k === null ? 'null' : JSON.stringify(k)}`);
}

class Converter {
  private depth = 0;
  constructor(private readonly doc: Document) {}

  value(node: unknown): unknown {
    if (node === null || node === undefined) return null;
    if (++this.depth > 1000) throw new YamlDecodeError('document nests too deeply');
    try {
      if (isAlias(node)) {
        const target = node.resolve(this.doc);
        if (!target) throw new YamlDecodeError(`unknown anchor '${node.source}' referenced`);
        return this.value(target);
      }
      if (isScalar(node)) return scalarValue(node);
      if (isSeq(node)) return node.items.map((i) => this.value(i));
      if (isMap(node)) {
        const out: Record<string, unknown> = {};
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const keyNode = pair.key as Node | null;
          if (isScalar(keyNode) && keyNode.type === 'PLAIN' && !keyNode.tag && keyNode.value === '<<') {
            this.merge(pair.value, out);
            continue;
          }
          const k = this.value(keyNode);
          if (typeof k === 'object' && k !== null) throw new YamlDecodeError(`invalid map key: ${JSON.stringify(k)}`);
          setKey(out, keyString(k), this.value(pair.value)); // a repeated key: the last one wins
        }
        return out;
      }
      throw new YamlDecodeError('unsupported YAML node');
    } finally {
      this.depth--;
    }
  }

  // decode.go merge(): a mapping, an alias of one, or a list of them (earlier ones win)
  private merge(node: unknown, into: Record<string, unknown>): void {
    const list = isSeq(node) ? [...node.items].reverse() : [node];
    for (const item of list) {
      const v = this.value(item);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new YamlDecodeError('map merge requires map or sequence of maps as the value');
      for (const [k, x] of Object.entries(v)) setKey(into, k, x);
    }
  }
}

/** encoding/json.Marshal refuses NaN and ±Inf: sigs.k8s.io/yaml's YAMLToJSON fails with it. */
function assertJsonable(v: unknown, path: string): void {
  if (typeof v === 'number' && !Number.isFinite(v))
    throw new YamlDecodeError(`json: unsupported value: ${v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN'} (at ${path || 'the document'}; quote it if it is text)`);
  if (Array.isArray(v)) v.forEach((x, i) => assertJsonable(x, `${path}[${i}]`));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) assertJsonable(x, path ? `${path}.${k}` : k);
}

export interface KubectlDocument {
  /** 1-based */
  index: number;
  line?: number;
  value?: unknown;
  error?: string;
  /** the document's source text holds a Go template action (`{{ … }}`): a Helm chart's template, not a manifest */
  template?: boolean;
}

// text/template's default delimiters (Helm's too): an action opens with {{ and closes with }}
const TEMPLATE_ACTION = /\{\{[^]*?\}\}/;

/** Every document of a manifest text, decoded as kubectl would send it (JSON values), or its error. */
export function decodeKubectlYaml(text: string): KubectlDocument[] {
  // YAMLOrJSONDecoder tries JSON first and reads the stream as YAML when that fails
  if (/^\s*[{[]/.test(text)) {
    try {
      return [{ index: 1, value: JSON.parse(text) as unknown }];
    } catch {
      /* YAML then (flow style starts with "{" too) */
    }
  }
  const docs = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, prettyErrors: true, strict: false });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((doc, i) => {
    const source = doc.range ? text.slice(doc.range[0], doc.range[2]) : text;
    const template = TEMPLATE_ACTION.test(source) ? { template: true } : {};
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      return { index: i + 1, line: e.linePos?.[0]?.line, error: e.message.split('\n')[0] ?? e.message, ...template };
    }
    try {
      const value = new Converter(doc).value(doc.contents);
      assertJsonable(value, '');
      return { index: i + 1, value, ...template };
    } catch (e) {
      if (e instanceof YamlDecodeError) return { index: i + 1, error: e.message, ...template };
      throw e;
    }
  });
}
