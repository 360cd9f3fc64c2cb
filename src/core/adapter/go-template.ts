// Go's text/template, as prometheus-adapter runs a rule's `resources.template`: parsed with delimiters << >>
// (pkg/naming/resource_converter.go NewResourceConverter: template.New("resource-label").Delims("<<", ">>")),
// no FuncMap of its own, executed with a schema.GroupResource as dot — once with regexp groups to build the
// label extractor (lbl_res.go newLabelGroupResExtractor), once per resource asked about (makeLabelForResource).
// The adapter binary v0.12.0 is built with a current Go, whose text/template (src/text/template/{lex,parse,
// exec,funcs}.go) this follows for what a label template can meaningfully use:
// - text, comments, trim markers `<<- ` / ` ->>`;
// - pipelines with `|`, parenthesised pipelines, variables (`$`, `$x := …`, `$x = …`, `$x.Field`);
// - if / else if / else, with / else with / else, range (over an integer, as Go ≥ 1.22 does) with break/continue;
// - dot's fields and methods: .Group, .Resource, .String, .Empty;
// - the builtins and, or, not, eq, ne, lt, le, gt, ge, len, index, slice, print, println, printf, html, urlquery;
// - constants: strings ("…", `…`), integers, characters, true, false.
// Refused here, naming the action (UnsupportedTemplateError), rather than guessed: define/template/block, js, call,
// nil, floating-point and complex constants, .WithVersion, printf formats this file does not render, and
// printf with a format that is not a constant. A template Go itself refuses (unknown function, undefined
// variable, bad syntax) or fails to execute raises GoTemplateError, worded like Go's.
// Pure: no I/O.

export class GoTemplateError extends Error {}
/** Valid for Go (prometheus-adapter accepts it), but not evaluated here. */
export class UnsupportedTemplateError extends Error {}

/** schema.GroupResource, the template's dot */
export interface GroupResourceData {
  Group: string;
  Resource: string;
}

type V = { k: 'string'; v: string } | { k: 'int'; v: number } | { k: 'uint8'; v: number } | { k: 'bool'; v: boolean } | { k: 'gr'; v: GroupResourceData };

const str = (v: string): V => ({ k: 'string', v });
const int = (v: number): V => ({ k: 'int', v });
const bool = (v: boolean): V => ({ k: 'bool', v });

type Arg =
  | { t: 'lit'; v: V }
  | { t: 'dot' }
  | { t: 'field'; recv: Arg | null; names: string[]; text: string }
  | { t: 'var'; name: string; names: string[] }
  | { t: 'fn'; name: string }
  | { t: 'pipe'; pipe: Pipe; names: string[] };
interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Arg[][];
  text: string;
}
type Node =
  | { n: 'text'; text: string }
  | { n: 'action'; pipe: Pipe }
  | { n: 'if' | 'with'; pipe: Pipe; then: Node[]; else: Node[] }
  | { n: 'range'; pipe: Pipe; body: Node[]; else: Node[] }
  | { n: 'break' }
  | { n: 'continue' };

const BUILTINS = new Set(['and', 'or', 'not', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'len', 'index', 'slice', 'print', 'println', 'printf', 'html', 'urlquery']);
/** Go builtins this file does not evaluate */
const UNSUPPORTED_FUNCS = new Set(['js', 'call']);
/** guards: a template is configuration, but a range over a huge integer must not hang admission */
const MAX_STEPS = 10_000;
const MAX_OUTPUT = 4096;

const NAME = 'resource-label';

// ---------------------------------------------------------------------------------------------- lexing

type Tok =
  | { t: 'field'; names: string[]; adj: boolean }
  | { t: 'var'; name: string; names: string[] }
  | { t: 'dot' }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'ident'; v: string }
  | { t: '(' | ')' | '|' | ':=' | '=' | ',' };

interface Action {
  toks: Tok[];
  src: string;
}

const SPACE = /[ \t\r\n]/;

function unquote(raw: string, q: string): string {
  if (q === '`') return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (e !== undefined && e in simple) out += simple[e];
    else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else if ((e === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(i + 1, i + 5))) || (e === 'U' && /^[0-9a-fA-F]{8}$/.test(raw.slice(i + 1, i + 9)))) {
      const n = e === 'u' ? 4 : 8;
      out += String.fromCodePoint(parseInt(raw.slice(i + 1, i + 1 + n), 16));
      i += n;
    } else throw new GoTemplateError(`template: ${NAME}:1: invalid syntax: ${q}${raw}${q}`);
  }
  return out;
}

/** Tokens of one action, from `i` (just past the left delimiter and its trim marker) to the right delimiter. */
function lexAction(src: string, start: number): { toks: Tok[]; end: number; trimRight: boolean } {
  const toks: Tok[] = [];
  let i = start;
  const fields = (from: number): { names: string[]; end: number } => {
    const names: string[] = [];
    let j = from;
    while (src[j] === '.' && /[A-Za-z_]/.test(src[j + 1] ?? '')) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(j + 1))!;
      names.push(m[0]);
      j += 1 + m[0].length;
    }
    return { names, end: j };
  };
  for (;;) {
    if (i >= src.length) throw new GoTemplateError(`template: ${NAME}:1: unclosed action`);
    if (src.startsWith('>>', i)) return { toks, end: i + 2, trimRight: false };
    const c = src[i]!;
    if (SPACE.test(c)) {
      if (src.startsWith('->>', i + 1)) return { toks, end: i + 4, trimRight: true };
      i++;
      continue;
    }
    const adj = i > start && !SPACE.test(src[i - 1]!);
    if (c === '"' || c === '`') {
      const close = c === '`' ? src.indexOf('`', i + 1) : findQuote(src, i + 1);
      if (close < 0) throw new GoTemplateError(`template: ${NAME}:1: unterminated quoted string`);
      toks.push({ t: 'str', v: unquote(src.slice(i + 1, close), c) });
      i = close + 1;
      continue;
    }
    if (c === "'") {
      const close = findQuote(src, i + 1, "'");
      if (close < 0) throw new GoTemplateError(`template: ${NAME}:1: unterminated character constant`);
      const ch = [...unquote(src.slice(i + 1, close), "'")];
      if (ch.length !== 1) throw new GoTemplateError(`template: ${NAME}:1: malformed character constant: ${src.slice(i, close + 1)}`);
      toks.push({ t: 'num', v: ch[0]!.codePointAt(0)! });
      i = close + 1;
      continue;
    }
    if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(i))!;
      const f = fields(i + m[0].length);
      toks.push({ t: 'var', name: m[0], names: f.names });
      i = f.end;
      continue;
    }
    if (c === '.') {
      if (/[A-Za-z_]/.test(src[i + 1] ?? '')) {
        const f = fields(i);
        toks.push({ t: 'field', names: f.names, adj });
        i = f.end;
      } else if (/[0-9]/.test(src[i + 1] ?? '')) {
        throw new UnsupportedTemplateError(`the number constant at "${src.slice(i, i + 12)}" (floating-point constants are not evaluated here)`);
      } else {
        toks.push({ t: 'dot' });
        i++;
      }
      continue;
    }
    if (/[0-9+-]/.test(c)) {
      const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]*|[0-9][0-9_]*)(?![0-9A-Za-z_.])/.exec(src.slice(i));
      if (!m) {
        const bad = /^[+-]?[0-9A-Za-z_.+-]*/.exec(src.slice(i))![0];
        if (/^[+-]?[0-9][0-9_]*(\.[0-9]*)?([eE][+-]?[0-9]+)?i?$|^[+-]?[0-9]*\.[0-9]+/.test(bad))
          throw new UnsupportedTemplateError(`the number constant ${bad} (floating-point and complex constants are not evaluated here)`);
        throw new GoTemplateError(`template: ${NAME}:1: bad number syntax: "${bad}"`);
      }
      const lit = m[0].replace(/_/g, '');
      const sign = lit.startsWith('-') ? -1 : 1;
      const body = lit.replace(/^[+-]/, '');
      const v = /^0[xX]/.test(body)
        ? parseInt(body.slice(2), 16)
        : /^0[bB]/.test(body)
          ? parseInt(body.slice(2), 2)
          : /^0[oO]/.test(body)
            ? parseInt(body.slice(2), 8)
            : /^0[0-7]+$/.test(body)
              ? parseInt(body.slice(1), 8)
              : parseInt(body, 10);
      toks.push({ t: 'num', v: sign * v });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      toks.push({ t: 'ident', v: m[0] });
      i += m[0].length;
      continue;
    }
    if (src.startsWith(':=', i)) {
      toks.push({ t: ':=' });
      i += 2;
      continue;
    }
    if ('()|=,'.includes(c)) {
      if (c === ')' && src[i + 1] === '.' && /[A-Za-z_]/.test(src[i + 2] ?? '')) {
        toks.push({ t: ')' });
        i++;
        continue;
      }
      toks.push({ t: c as '(' | ')' | '|' | '=' | ',' });
      i++;
      continue;
    }
    throw new GoTemplateError(`template: ${NAME}:1: unexpected ${JSON.stringify(c)} in command`);
  }
}

function findQuote(src: string, from: number, q = '"'): number {
  for (let j = from; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === q) return j;
    else if (src[j] === '\n') return -1;
  }
  return -1;
}

/** Text and action tokens, with trim markers applied as text/template's lexer does. */
function lex(src: string): Array<{ text: string } | Action> {
  const out: Array<{ text: string } | Action> = [];
  let i = 0;
  let trimNext = false;
  for (;;) {
    const open = src.indexOf('<<', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open < 0) {
      if (text !== '') out.push({ text });
      return out;
    }
    let j = open + 2;
    if (src[j] === '-' && SPACE.test(src[j + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      j += 2;
    }
    if (text !== '') out.push({ text });
    // a comment: /* … */ right after the delimiter (and its trim marker), then the right delimiter
    if (src.startsWith('/*', j)) {
      const end = src.indexOf('*/', j + 2);
      if (end < 0) throw new GoTemplateError(`template: ${NAME}:1: unclosed comment`);
      let k = end + 2;
      if (src.startsWith(' ->>', k)) {
        trimNext = true;
        k += 4;
      } else if (src.startsWith('>>', k)) k += 2;
      else throw new GoTemplateError(`template: ${NAME}:1: comment ends before closing delimiter`);
      i = k;
      continue;
    }
    const a = lexAction(src, j);
    out.push({ toks: a.toks, src: src.slice(open, a.end) });
    trimNext = a.trimRight;
    i = a.end;
  }
}

// ---------------------------------------------------------------------------------------------- parsing

class Parser {
  private k = 0;
  private readonly vars: string[][] = [['$']];
  private rangeDepth = 0;
  constructor(private readonly items: Array<{ text: string } | Action>) {}

  parse(): Node[] {
    const r = this.list(0);
    if (r.stop) throw new GoTemplateError(`template: ${NAME}:1: unexpected ${r.stop.src}`);
    return r.nodes;
  }

  private declared(name: string): boolean {
    return this.vars.some((s) => s.includes(name));
  }

  /** nodes until else/end (returned in stop) or the end of input */
  private list(depth: number): { nodes: Node[]; stop?: Action; word?: string } {
    const nodes: Node[] = [];
    while (this.k < this.items.length) {
      const it = this.items[this.k++]!;
      if ('text' in it) {
        nodes.push({ n: 'text', text: it.text });
        continue;
      }
      const first = it.toks[0];
      const word = first?.t === 'ident' ? first.v : undefined;
      if (word === 'end' || word === 'else') {
        if (depth === 0) throw new GoTemplateError(`template: ${NAME}:1: unexpected {{${word}}}`);
        return { nodes, stop: it, word };
      }
      if (word === 'if' || word === 'with') {
        nodes.push(this.branch(word, it, it.toks.slice(1), depth));
        continue;
      }
      if (word === 'range') {
        nodes.push(this.range(it, depth));
        continue;
      }
      if (word === 'break' || word === 'continue') {
        if (this.rangeDepth === 0) throw new GoTemplateError(`template: ${NAME}:1: {{${word}}} outside {{range}}`);
        if (it.toks.length > 1) throw new GoTemplateError(`template: ${NAME}:1: unexpected ${describe(it.toks[1]!)} in {{${word}}}`);
        nodes.push({ n: word });
        continue;
      }
      if (word === 'define' || word === 'template' || word === 'block') throw new UnsupportedTemplateError(`the action ${it.src} (${word}: named templates are not evaluated here)`);
      if (it.toks.length === 0) throw new GoTemplateError(`template: ${NAME}:1: missing value for command`);
      nodes.push({ n: 'action', pipe: this.pipeline(it.toks, it.src, 'command') });
    }
    if (depth > 0) throw new GoTemplateError(`template: ${NAME}:1: unexpected EOF`);
    return { nodes };
  }

  private branch(word: 'if' | 'with', it: Action, toks: Tok[], depth: number): Node {
    // variables of the pipeline are visible in both branches (parse.go parseControl pops them at its end)
    this.vars.push([]);
    const pipe = this.pipeline(toks, it.src, word);
    this.vars.push([]);
    const then = this.list(depth + 1);
    this.vars.pop();
    try {
      return this.branchElse(word, pipe, then, depth);
    } finally {
      this.vars.pop();
    }
  }

  private branchElse(word: 'if' | 'with', pipe: Pipe, then: { nodes: Node[]; stop?: Action; word?: string }, depth: number): Node {
    let els: Node[] = [];
    if (then.word === 'else') {
      const rest = then.stop!.toks.slice(1);
      if (rest.length > 0) {
        // `else if …` / `else with …`: a nested branch closed by the same end
        const w = rest[0]?.t === 'ident' ? rest[0].v : '';
        if (w !== 'if' && w !== 'with') throw new GoTemplateError(`template: ${NAME}:1: unexpected ${describe(rest[0]!)} in else`);
        if (w !== word) throw new UnsupportedTemplateError(`the action ${then.stop!.src} inside a ${word} (not evaluated here)`);
        els = [this.branch(word, then.stop!, rest.slice(1), depth)];
        return { n: word, pipe, then: then.nodes, else: els };
      }
      this.vars.push([]);
      const e = this.list(depth + 1);
      this.vars.pop();
      if (e.word !== 'end') throw new GoTemplateError(`template: ${NAME}:1: expected end; found ${e.stop?.src ?? 'EOF'}`);
      els = e.nodes;
    }
    return { n: word, pipe, then: then.nodes, else: els };
  }

  private range(it: Action, depth: number): Node {
    this.vars.push([]);
    const pipe = this.pipeline(it.toks.slice(1), it.src, 'range');
    this.rangeDepth++;
    this.vars.push([]);
    const body = this.list(depth + 1);
    this.vars.pop();
    this.rangeDepth--;
    let els: Node[] = [];
    if (body.word === 'else') {
      if (body.stop!.toks.length > 1) throw new GoTemplateError(`template: ${NAME}:1: expected end; found ${body.stop!.src}`);
      this.vars.push([]);
      const e = this.list(depth + 1);
      this.vars.pop();
      if (e.word !== 'end') throw new GoTemplateError(`template: ${NAME}:1: expected end; found ${e.stop?.src ?? 'EOF'}`);
      els = e.nodes;
    }
    this.vars.pop();
    return { n: 'range', pipe, body: body.nodes, else: els };
  }

  private pipeline(toks: Tok[], src: string, context: string): Pipe {
    let i = 0;
    const decl: string[] = [];
    let assign = false;
    // declarations: $x := / $x = / $i, $e := (range)
    const look = (a: number) => toks[a];
    const v0 = look(0);
    if (v0?.t === 'var' && v0.names.length === 0) {
      const n1 = look(1);
      if (n1?.t === ':=' || n1?.t === '=') {
        decl.push(v0.name);
        assign = n1.t === '=';
        i = 2;
      } else if (n1?.t === ',' && context === 'range') {
        const v2 = look(2);
        const n3 = look(3);
        if (v2?.t === 'var' && v2.names.length === 0 && (n3?.t === ':=' || n3?.t === '=')) {
          decl.push(v0.name, v2.name);
          assign = n3.t === '=';
          i = 4;
        }
      }
    }
    if (decl.length > 0) {
      // an assignment's target is looked up when it runs (exec.go setVar: "undefined variable")
      if (!assign) this.vars[this.vars.length - 1]!.push(...decl);
    }
    const cmds: Arg[][] = [];
    let cmd: Arg[] = [];
    const end = (stop: (t: Tok) => boolean): void => {
      while (i < toks.length && !stop(toks[i]!)) {
        const t = toks[i]!;
        if (t.t === '|') {
          if (cmd.length === 0) throw new GoTemplateError(`template: ${NAME}:1: missing command in ${src}`);
          cmds.push(cmd);
          cmd = [];
          i++;
          continue;
        }
        cmd.push(
          this.operand(
            toks,
            () => i,
            (n) => (i = n),
            src,
          ),
        );
      }
    };
    end(() => false);
    if (cmd.length === 0) throw new GoTemplateError(`template: ${NAME}:1: missing value for ${context}`);
    cmds.push(cmd);
    for (const [j, c] of cmds.entries()) {
      if (j > 0 && (c[0]!.t === 'lit' || c[0]!.t === 'dot')) throw new GoTemplateError(`template: ${NAME}:1: non executable command in pipeline stage ${j + 1}`);
    }
    return { decl, assign, cmds, text: src };
  }

  private operand(toks: Tok[], at: () => number, set: (n: number) => void, src: string): Arg {
    const i = at();
    const t = toks[i]!;
    let a: Arg;
    let next = i + 1;
    switch (t.t) {
      case 'str':
        a = { t: 'lit', v: str(t.v) };
        break;
      case 'num':
        a = { t: 'lit', v: int(t.v) };
        break;
      case 'dot':
        a = { t: 'dot' };
        break;
      case 'field':
        a = { t: 'field', recv: null, names: t.names, text: `.${t.names.join('.')}` };
        break;
      case 'var':
        if (!this.declared(t.name)) throw new GoTemplateError(`template: ${NAME}:1: undefined variable "${t.name}"`);
        a = { t: 'var', name: t.name, names: t.names };
        break;
      case 'ident':
        if (t.v === 'true' || t.v === 'false') a = { t: 'lit', v: bool(t.v === 'true') };
        else if (t.v === 'nil') throw new UnsupportedTemplateError(`nil in the action ${src} (not evaluated here)`);
        else if (UNSUPPORTED_FUNCS.has(t.v)) throw new UnsupportedTemplateError(`the function ${t.v} in the action ${src} (not evaluated here)`);
        else if (BUILTINS.has(t.v)) a = { t: 'fn', name: t.v };
        else if (['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue'].includes(t.v))
          throw new GoTemplateError(`template: ${NAME}:1: unexpected <${t.v}> in command`);
        else throw new GoTemplateError(`template: ${NAME}:1: function "${t.v}" not defined`);
        break;
      case '(': {
        // a parenthesised pipeline, up to the matching )
        let depth = 1;
        let j = i + 1;
        for (; j < toks.length; j++) {
          if (toks[j]!.t === '(') depth++;
          if (toks[j]!.t === ')' && --depth === 0) break;
        }
        if (j >= toks.length) throw new GoTemplateError(`template: ${NAME}:1: unclosed left paren`);
        const inner = this.pipeline(toks.slice(i + 1, j), src, 'parenthesized pipeline');
        if (inner.decl.length > 0) throw new UnsupportedTemplateError(`a declaration inside parentheses in the action ${src} (not evaluated here)`);
        a = { t: 'pipe', pipe: inner, names: [] };
        next = j + 1;
        const f = toks[next];
        if (f?.t === 'field' && f.adj) {
          a.names = f.names;
          next++;
        }
        break;
      }
      default:
        throw new GoTemplateError(`template: ${NAME}:1: unexpected ${describe(t)} in operand`);
    }
    set(next);
    return a;
  }
}

function describe(t: Tok): string {
  switch (t.t) {
    case 'ident':
      return `<${t.v}>`;
    case 'str':
      return JSON.stringify(t.v);
    case 'num':
      return String(t.v);
    case 'field':
      return `<.${t.names.join('.')}>`;
    case 'var':
      return `<${t.name}>`;
    case 'dot':
      return '<.>';
    default:
      return `"${t.t}"`;
  }
}

/** A parsed template (parse errors are thrown here, as template.Parse returns them). */
export interface GoTemplate {
  readonly nodes: Node[];
}

export function parseGoTemplate(src: string): GoTemplate {
  const nodes = new Parser(lex(src)).parse();
  checkPrintfFormats(nodes);
  return { nodes };
}

// ---------------------------------------------------------------------------------------------- execution

const typeName = (v: V): string => (v.k === 'gr' ? 'schema.GroupResource' : v.k);

function truth(v: V): boolean {
  switch (v.k) {
    case 'string':
      return v.v !== '';
    case 'int':
    case 'uint8':
      return v.v !== 0;
    case 'bool':
      return v.v;
    case 'gr':
      return true; // a struct is always true (exec.go isTrue)
  }
}

/** fmt's %v of one value (GroupResource through its String method) */
function plain(v: V): string {
  switch (v.k) {
    case 'string':
      return v.v;
    case 'int':
    case 'uint8':
      return String(v.v);
    case 'bool':
      return String(v.v);
    case 'gr':
      return grString(v.v);
  }
}

function grString(g: GroupResourceData): string {
  return g.Group === '' ? g.Resource : `${g.Resource}.${g.Group}`;
}

/** fmt.Sprint: a space between operands when neither is a string */
function sprint(args: V[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && a.k !== 'string' && args[i - 1]!.k !== 'string') out += ' ';
    out += plain(a);
  });
  return out;
}

function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const esc: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
    if (ch in esc) out += esc[ch];
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

const PRINTF_VERB = /%([-+# 0]*)(\d*)(?:\.(\d*))?([a-zA-Z%])/g;
const PRINTF_SUPPORTED = new Set(['s', 'v', 'd', 'q', 'x', 'X', 'c', 't', '%']);

/** printf formats are checked when the template is parsed: a verb or flag not rendered here refuses the template */
function checkPrintfFormats(nodes: Node[]): void {
  const pipes: Pipe[] = [];
  const walk = (ns: Node[]) => {
    for (const n of ns) {
      if (n.n === 'action') pipes.push(n.pipe);
      if (n.n === 'if' || n.n === 'with') {
        pipes.push(n.pipe);
        walk(n.then);
        walk(n.else);
      }
      if (n.n === 'range') {
        pipes.push(n.pipe);
        walk(n.body);
        walk(n.else);
      }
    }
  };
  walk(nodes);
  const inPipe = (p: Pipe): void => {
    for (const c of p.cmds) {
      for (const a of c) if (a.t === 'pipe') inPipe(a.pipe);
      if (c[0]?.t !== 'fn' || c[0].name !== 'printf') continue;
      const f = c[1];
      if (!f || f.t !== 'lit' || f.v.k !== 'string') throw new UnsupportedTemplateError(`printf with a format that is not a constant string in the action ${p.text} (not evaluated here)`);
      for (const m of f.v.v.matchAll(PRINTF_VERB)) {
        if (!PRINTF_SUPPORTED.has(m[4]!) || /[+# ]/.test(m[1]!) || (m[3] !== undefined && m[4] !== 's'))
          throw new UnsupportedTemplateError(`the printf format ${m[0]} in the action ${p.text} (supported here: %s %v %d %q %x %X %c %t %% with - or 0 and a width)`);
      }
      const rest = f.v.v.replace(PRINTF_VERB, '');
      if (rest.includes('%')) throw new UnsupportedTemplateError(`the printf format ${JSON.stringify(f.v.v)} in the action ${p.text} (an incomplete verb)`);
    }
  };
  pipes.forEach(inPipe);
}

function pad(s: string, flags: string, width: string): string {
  const w = width === '' ? 0 : Number(width);
  if ([...s].length >= w) return s;
  const fill = ' '.repeat(w - [...s].length);
  if (flags.includes('-')) return s + fill;
  if (flags.includes('0') && /^-?\d+$/.test(s)) return s.startsWith('-') ? '-' + '0'.repeat(w - s.length) + s.slice(1) : '0'.repeat(w - s.length) + s;
  return fill + s;
}

/** fmt.Sprintf for the verbs checkPrintfFormats lets through */
function sprintf(format: string, args: V[]): string {
  let n = 0;
  // a wrong verb: %!verb(type=value); a struct (dot) without a String-using verb prints each field so
  const bad = (verb: string, a: V): string => (a.k === 'gr' ? `{%!${verb}(string=${a.v.Group}) %!${verb}(string=${a.v.Resource})}` : `%!${verb}(${typeName(a)}=${plain(a)})`);
  let out = format.replace(PRINTF_VERB, (_m, flags: string, width: string, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const a = args[n++];
    if (a === undefined) return `%!${verb}(MISSING)`;
    let s: string;
    switch (verb) {
      case 'v':
        s = plain(a);
        break;
      case 's':
        s = a.k === 'string' || a.k === 'gr' ? plain(a) : bad('s', a);
        if (prec !== undefined && (a.k === 'string' || a.k === 'gr')) s = [...s].slice(0, Number(prec || 0)).join('');
        break;
      case 'q':
        s = a.k === 'string' || a.k === 'gr' ? goQuote(plain(a)) : a.k === 'int' || a.k === 'uint8' ? `'${String.fromCodePoint(a.v)}'` : bad('q', a);
        break;
      case 'd':
        s = a.k === 'int' || a.k === 'uint8' ? String(a.v) : bad('d', a);
        break;
      case 'x':
      case 'X': {
        const hex = (x: string) => (verb === 'X' ? x.toUpperCase() : x);
        if (a.k === 'int' || a.k === 'uint8') s = hex(a.v < 0 ? '-' + (-a.v).toString(16) : a.v.toString(16));
        else if (a.k === 'string' || a.k === 'gr') s = hex(Buffer.from(plain(a), 'utf8').toString('hex'));
        else s = bad(verb, a);
        break;
      }
      case 'c':
        s = a.k === 'int' || a.k === 'uint8' ? String.fromCodePoint(a.v) : bad('c', a);
        break;
      case 't':
        s = a.k === 'bool' ? String(a.v) : bad('t', a);
        break;
      default:
        s = bad(verb, a);
    }
    return pad(s, flags, width);
  });
  if (n < args.length)
    out += `%!(EXTRA ${args
      .slice(n)
      .map((a) => `${typeName(a)}=${plain(a)}`)
      .join(', ')})`;
  return out;
}

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** funcs.go evalArgs: one string argument as is, anything else through fmt.Sprint */
function evalArgs(args: V[]): string {
  const a = args[0];
  return args.length === 1 && a?.k === 'string' ? a.v : sprint(args);
}

const basicKind = (v: V): 'bool' | 'int' | 'string' | 'gr' => (v.k === 'uint8' ? 'int' : v.k);

function eqValues(a: V, b: V): boolean {
  if (basicKind(a) !== basicKind(b)) throw new GoTemplateError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (a.k === 'gr' && b.k === 'gr') return a.v.Group === b.v.Group && a.v.Resource === b.v.Resource;
  return a.v === b.v;
}

function ltValues(a: V, b: V): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'gr' || kb === 'gr') throw new GoTemplateError('invalid type for comparison');
  if (ka !== kb) throw new GoTemplateError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (ka === 'bool') throw new GoTemplateError('invalid type for comparison');
  return (a.v as number | string) < (b.v as number | string);
}

class Exec {
  private out = '';
  private steps = 0;
  private readonly vars: Array<{ name: string; v: V }> = [];

  constructor(private readonly data: V) {
    this.vars.push({ name: '$', v: data });
  }

  run(nodes: Node[]): string {
    this.walk(nodes, this.data);
    return this.out;
  }

  private step(): void {
    if (++this.steps > MAX_STEPS) throw new UnsupportedTemplateError(`a template that takes more than ${MAX_STEPS} steps (not evaluated here)`);
  }

  private write(s: string): void {
    this.out += s;
    if (this.out.length > MAX_OUTPUT) throw new UnsupportedTemplateError(`a template whose output exceeds ${MAX_OUTPUT} characters (not evaluated here)`);
  }

  private walk(nodes: Node[], dot: V): void {
    for (const n of nodes) {
      this.step();
      switch (n.n) {
        case 'text':
          this.write(n.text);
          break;
        case 'action': {
          const v = this.pipeline(n.pipe, dot);
          if (n.pipe.decl.length === 0) this.write(plain(v));
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length;
          const v = this.pipeline(n.pipe, dot);
          if (truth(v)) this.walk(n.then, n.n === 'with' ? v : dot);
          else this.walk(n.else, dot);
          this.vars.length = mark;
          break;
        }
        case 'range':
          this.range(n, dot);
          break;
        case 'break':
          throw BREAK;
        case 'continue':
          throw CONTINUE;
      }
    }
  }

  // exec.go walkRange: the pipeline's variables are pushed with its value, then set to each element
  private range(n: Extract<Node, { n: 'range' }>, dot: V): void {
    const mark = this.vars.length;
    const v = this.pipeline(n.pipe, dot);
    if (v.k !== 'int' && v.k !== 'uint8') throw this.fail(n.pipe.text, `range can't iterate over ${plain(v)}`);
    if (n.pipe.decl.length > 1) throw this.fail(n.pipe.text, `can't use ${v.v} to iterate over more than one variable`);
    if (v.v <= 0) {
      this.walk(n.else, dot);
      this.vars.length = mark;
      return;
    }
    const inner = this.vars.length;
    try {
      for (let i = 0; i < v.v; i++) {
        this.step();
        const elem = int(i);
        if (n.pipe.decl.length === 1) {
          if (n.pipe.assign) this.set(n.pipe.decl[0]!, elem);
          else this.vars[inner - 1]!.v = elem;
        }
        try {
          this.walk(n.body, elem);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.vars.length = inner;
        }
      }
    } catch (e) {
      if (e !== BREAK) throw e;
    }
    this.vars.length = mark;
  }

  private set(name: string, v: V): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.v = v;
        return;
      }
    }
    throw new GoTemplateError(`template: ${NAME}: executing "${NAME}": undefined variable: ${name}`);
  }

  private lookup(name: string): V {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.v;
    throw new GoTemplateError(`undefined variable: ${name}`);
  }

  private fail(at: string, msg: string): GoTemplateError {
    return new GoTemplateError(`template: ${NAME}: executing "${NAME}" at <${at.replace(/^<<-?\s*|\s*-?>>$/g, '')}>: ${msg}`);
  }

  private pipeline(p: Pipe, dot: V): V {
    let v: V | undefined;
    for (const c of p.cmds) v = this.command(c, dot, v, p.text);
    for (const d of p.decl) {
      if (p.assign) this.set(d, v!);
      else this.vars.push({ name: d, v: v! });
    }
    return v!;
  }

  private fields(v: V, names: string[], at: string, args: V[] = []): V {
    let cur = v;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      const a = last ? args : [];
      if (cur.k !== 'gr') throw this.fail(at, `can't evaluate field ${name} in type ${typeName(cur)}`);
      const g = cur.v;
      switch (name) {
        case 'Group':
        case 'Resource':
          if (a.length > 0) throw this.fail(at, `${name} has arguments but cannot be invoked as function`);
          cur = str(g[name]);
          break;
        case 'String':
          if (a.length > 0) throw this.fail(at, `wrong number of args for String: want 0 got ${a.length}`);
          cur = str(grString(g));
          break;
        case 'Empty':
          if (a.length > 0) throw this.fail(at, `wrong number of args for Empty: want 0 got ${a.length}`);
          cur = bool(g.Group === '' && g.Resource === '');
          break;
        case 'WithVersion':
          throw new UnsupportedTemplateError(`.WithVersion in the action ${at} (not evaluated here)`);
        default:
          throw this.fail(at, `can't evaluate field ${name} in type schema.GroupResource`);
      }
    });
    return cur;
  }

  private arg(a: Arg, dot: V, at: string): V {
    switch (a.t) {
      case 'lit':
        return a.v;
      case 'dot':
        return dot;
      case 'field':
        return this.fields(dot, a.names, at);
      case 'var':
        return a.names.length > 0 ? this.fields(this.lookup(a.name), a.names, at) : this.lookup(a.name);
      case 'pipe': {
        const v = this.pipeline(a.pipe, dot);
        return a.names.length > 0 ? this.fields(v, a.names, at) : v;
      }
      case 'fn':
        // a function named as an argument is called without arguments (exec.go evalArg → evalFunction)
        return this.call(a.name, [], dot, undefined, at);
    }
  }

  private command(cmd: Arg[], dot: V, piped: V | undefined, at: string): V {
    const [head, ...rest] = cmd;
    if (head!.t === 'fn') return this.call(head!.name, rest, dot, piped, at);
    const extra = piped === undefined ? [] : [piped];
    if (head!.t === 'field' || (head!.t === 'var' && head!.names.length > 0)) {
      const args = [...rest.map((r) => this.arg(r, dot, at)), ...extra];
      const base = head!.t === 'field' ? dot : this.lookup(head!.name);
      return this.fields(base, head!.names, at, args);
    }
    if (rest.length > 0 || piped !== undefined) throw this.fail(at, `can't give argument to non-function ${head!.t === 'lit' ? plain(head!.v) : head!.t}`);
    return this.arg(head!, dot, at);
  }

  private call(name: string, argNodes: Arg[], dot: V, piped: V | undefined, at: string): V {
    const n = argNodes.length + (piped === undefined ? 0 : 1);
    const all = (): V[] => [...argNodes.map((a) => this.arg(a, dot, at)), ...(piped === undefined ? [] : [piped])];
    const want = (k: number) => {
      if (n !== k) throw this.fail(at, `wrong number of args for ${name}: want ${k} got ${n}`);
    };
    try {
      switch (name) {
        case 'and':
        case 'or': {
          if (n < 1) throw this.fail(at, `wrong number of args for ${name}: want at least 1 got 0`);
          // short-circuit: later arguments are not evaluated (funcs.go, Go ≥ 1.18)
          let v: V | undefined;
          for (let i = 0; i < n; i++) {
            v = i < argNodes.length ? this.arg(argNodes[i]!, dot, at) : piped!;
            if (name === 'and' ? !truth(v) : truth(v)) return v;
          }
          return v!;
        }
        case 'not':
          want(1);
          return bool(!truth(all()[0]!));
        case 'eq': {
          if (n < 2) throw this.fail(at, 'missing argument for comparison');
          const [a, ...bs] = all();
          return bool(bs.some((b) => eqValues(a!, b)));
        }
        case 'ne': {
          want(2);
          const [a, b] = all();
          return bool(!eqValues(a!, b!));
        }
        case 'lt':
        case 'le':
        case 'gt':
        case 'ge': {
          want(2);
          const [a, b] = all();
          const r = name === 'lt' ? ltValues(a!, b!) : name === 'le' ? ltValues(a!, b!) || eqValues(a!, b!) : name === 'gt' ? !(ltValues(a!, b!) || eqValues(a!, b!)) : !ltValues(a!, b!);
          return bool(r);
        }
        case 'len': {
          want(1);
          const a = all()[0]!;
          if (a.k !== 'string') throw new GoTemplateError(`len of type ${typeName(a)}`);
          return int(Buffer.byteLength(a.v, 'utf8'));
        }
        case 'index': {
          if (n < 1) throw this.fail(at, `wrong number of args for index: want at least 1 got 0`);
          const [item, ...idx] = all();
          let cur = item!;
          for (const x of idx) {
            if (cur.k !== 'string') throw new GoTemplateError(`can't index item of type ${typeName(cur)}`);
            if (x.k !== 'int' && x.k !== 'uint8') throw new GoTemplateError(`cannot index slice/array with type ${typeName(x)}`);
            const bytes = Buffer.from(cur.v, 'utf8');
            if (x.v < 0 || x.v >= bytes.length) throw new GoTemplateError(`index out of range: ${x.v}`);
            cur = { k: 'uint8', v: bytes[x.v]! };
          }
          return cur;
        }
        case 'slice': {
          if (n < 1) throw this.fail(at, `wrong number of args for slice: want at least 1 got 0`);
          const [item, ...idx] = all();
          if (item!.k !== 'string') throw new GoTemplateError(`can't slice item of type ${typeName(item!)}`);
          if (idx.length > 2) throw new GoTemplateError(`cannot 3-index slice a string`);
          const bytes = Buffer.from(item!.v, 'utf8');
          const ix = idx.map((x) => {
            if (x.k !== 'int' && x.k !== 'uint8') throw new GoTemplateError(`cannot index slice/array with type ${typeName(x)}`);
            if (x.v < 0 || x.v > bytes.length) throw new GoTemplateError(`index out of range: ${x.v}`);
            return x.v;
          });
          const i = ix[0] ?? 0;
          const j = ix[1] ?? bytes.length;
          if (i > j) throw new GoTemplateError(`invalid slice index: ${i} > ${j}`);
          return str(bytes.subarray(i, j).toString('utf8'));
        }
        case 'print':
          return str(sprint(all()));
        case 'println':
          return str(all().map(plain).join(' ') + '\n');
        case 'printf': {
          const [f, ...rest] = all();
          if (!f || f.k !== 'string') throw new UnsupportedTemplateError(`printf with a format that is not a constant string in the action ${at} (not evaluated here)`);
          return str(sprintf(f.v, rest));
        }
        case 'html':
          return str(htmlEscape(evalArgs(all())));
        case 'urlquery':
          return str(queryEscape(evalArgs(all())));
      }
    } catch (e) {
      if (e instanceof GoTemplateError && !e.message.startsWith('template:')) throw this.fail(at, `error calling ${name}: ${e.message}`);
      throw e;
    }
    throw new UnsupportedTemplateError(`the function ${name} (not evaluated here)`);
  }
}

/** {{break}} / {{continue}} unwinding to their range (exec.go walkBreak, walkContinue) */
class LoopControl extends Error {}
const BREAK = new LoopControl('break');
const CONTINUE = new LoopControl('continue');

/** Execute with a schema.GroupResource as dot (throws GoTemplateError where Go's Execute fails). */
export function executeGoTemplate(t: GoTemplate, data: GroupResourceData): string {
  return new Exec({ k: 'gr', v: data }).run(t.nodes);
}
