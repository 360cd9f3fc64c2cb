// No Docker engine in CI: the Dockerfile is parsed and its contract checked statically.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions with line continuations joined and comments dropped. */
export function parseDockerfile(text: string): { globalArgs: Map<string, string>; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending !== '' && line.startsWith('#')) return;
    if (pending === '') start = i + 1;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      return;
    }
    const full = (pending + line).replace(/\s+/g, ' ').trim();
    pending = '';
    const m = /^(\S+)\s*(.*)$/.exec(full);
    if (m) instructions.push({ op: m[1]!.toUpperCase(), args: m[2]!, line: start });
  });
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      assert.ok(m, `FROM at line ${ins.line}`);
      const base = m[1]!.replace(/\$\{?(\w+)\}?/g, (_, n: string) => globalArgs.get(n) ?? '');
      stages.push({ base, name: m[2], instructions: [] });
    } else if (stages.length === 0) {
      if (ins.op === 'ARG') {
        const [k, v] = ins.args.split('=');
        globalArgs.set(k!.trim(), (v ?? '').trim());
      }
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };

function ops(stage: Stage, op: string): Instruction[] {
  return stage.instructions.filter((i) => i.op === op);
}

describe('Dockerfile', () => {
  const { stages } = dockerfile;
  const runtime = stages.at(-1)!;

  it('is multi-stage on an official image of a supported Node LTS (20 reached its end of life in April 2026); the code stays Node 20 compatible', () => {
    assert.ok(stages.length >= 2, 'at least a build and a runtime stage');
    // LTS lines with security support in 2026-11 (nodejs.org/en/about/previous-releases): 22 until
    // 2027-04-30, 24 until 2028-04-30, 26 until 2029-04-30.
    for (const s of stages) assert.match(s.base, /^(docker\.io\/(library\/)?)?node:(22|24|26)(\.|-|$)/, `official node LTS base, got ${s.base}`);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.engines.node, '>=20.6', 'still runs on Node 20 (tested there: npm test on this machine)');
    const build = stages[0]!;
    assert.ok(build.name, 'the build stage is named');
    assert.ok(
      ops(build, 'RUN').some((r) => /\bnpm ci\b/.test(r.args)),
      'build: npm ci',
    );
    assert.ok(
      ops(build, 'RUN').some((r) => /\bnpm run build\b/.test(r.args)),
      'build: npm run build',
    );
    assert.ok(
      ops(runtime, 'COPY').some((c) => c.args.includes(`--from=${build.name}`) && /\bdist\b/.test(c.args)),
      'runtime copies dist/ from the build stage',
    );
  });

  it('installs production dependencies only in the runtime stage', () => {
    const installs = ops(runtime, 'RUN').filter((r) => /\bnpm (ci|install|i)\b/.test(r.args));
    assert.ok(installs.length > 0, 'runtime installs dependencies');
    for (const r of installs) {
      assert.match(r.args, /\bnpm ci\b/, 'npm ci (lockfile), not npm install');
      assert.match(r.args, /--omit=dev\b/);
      assert.match(r.args, /--ignore-scripts\b/);
    }
    assert.ok(!ops(runtime, 'COPY').some((c) => /\bnode_modules\b/.test(c.args)), 'no node_modules (with dev deps) copied in');
    assert.ok(
      ops(runtime, 'COPY').some((c) => /^policies\b/.test(c.args)),
      'policies/ shipped',
    );
  });

  it('runs as a non-root numeric user', () => {
    const users = ops(runtime, 'USER');
    assert.ok(users.length > 0, 'USER set in the runtime stage');
    const user = users.at(-1)!.args.trim();
    const [uid, gid] = user.split(':');
    assert.match(uid!, /^\d+$/, 'numeric uid, so runAsNonRoot can be verified');
    assert.notEqual(Number(uid), 0);
    if (gid !== undefined) assert.notEqual(Number(gid), 0);
    // nothing after USER switches back
    const lastUser = runtime.instructions.lastIndexOf(users.at(-1)!);
    assert.ok(!runtime.instructions.slice(lastUser + 1).some((i) => i.op === 'USER'));
  });

  it("starts package.json's bin on port 8443", () => {
    const entry = ops(runtime, 'ENTRYPOINT').at(-1);
    assert.ok(entry, 'ENTRYPOINT');
    const argv = JSON.parse(entry.args) as string[]; // exec form: signals reach node directly
    assert.equal(argv[0], 'node');
    const flags = argv.slice(1, argv.indexOf(pkg.bin['gpu-hpa-webhook']!));
    assert.ok(
      flags.every((f) => f.startsWith('--')),
      `node flags before the bin: ${argv.join(' ')}`,
    );
    // the image runs node with the flags `npm start` uses (and the benchmark measures)
    // `exec`: the shell npm runs the script in becomes node, so the SIGTERM npm forwards reaches the server
    assert.equal(pkg.scripts.start, `exec node ${[...flags, pkg.bin['gpu-hpa-webhook']].join(' ')} serve`);
    assert.deepEqual(JSON.parse(ops(runtime, 'CMD').at(-1)?.args ?? 'null'), ['serve']);
    assert.ok(ops(runtime, 'EXPOSE').some((e) => /\b8443\b/.test(e.args)));
    assert.ok(
      ops(runtime, 'EXPOSE').some((e) => /\b8080\b/.test(e.args)),
      'the metrics port',
    );
    // dist/cli/main.js is compiled from src/cli/main.ts (tsconfig.build.json: rootDir src, outDir dist)
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    const bin = pkg.bin['gpu-hpa-webhook']!;
    assert.ok(bin.startsWith(`${build.compilerOptions.outDir}/`));
    const src = bin.replace(`${build.compilerOptions.outDir}/`, `${build.compilerOptions.rootDir}/`).replace(/\.js$/, '.ts');
    assert.equal(src, 'src/cli/main.ts');
  });

  it('keeps secrets and local builds out of the context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', 'dist', 'certs', '.git']) assert.ok(ignored.includes(p), `.dockerignore has ${p}`);
  });
});

describe('parseDockerfile', () => {
  it('joins continuations, substitutes global ARGs and splits stages', () => {
    const { stages } = parseDockerfile('ARG V=20\nFROM node:${V} AS b\nRUN a \\\n  # note\n  b\nFROM node:$V-slim\nUSER 1000\n');
    assert.equal(stages.length, 2);
    assert.equal(stages[0]!.base, 'node:20');
    assert.equal(stages[0]!.name, 'b');
    assert.equal(stages[0]!.instructions[0]!.args, 'a b');
    assert.equal(stages[1]!.base, 'node:20-slim');
  });
});
