// The servers the benchmark starts run compiled, as production runs node dist/… (under tsx the loader's
// worker thread alone adds ~30 MB of RSS): one tsc command line for the webhook and its floors
// (bench/run.ts) and for the peer's module (bench/peer.ts).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

/** Compile `entry` and what it imports into `outDir` as ES2022 modules for Node; `extra`: more tsc flags. */
export function compileForBench(entry: string, outDir: string, extra: readonly string[] = []): void {
  const flags = ['--outDir', outDir, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--skipLibCheck', '--esModuleInterop', '--types', 'node'];
  execFileSync(process.execPath, [tsc, ...flags, ...extra, entry], { stdio: 'inherit' });
}
