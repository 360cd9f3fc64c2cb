// The Node flags production runs the webhook with: those of the image's ENTRYPOINT (the Dockerfile;
// `npm start` uses the same, test/dockerfile.test.ts checks it). Both benchmarks run these.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function productionNodeFlags(): string[] {
  const text = readFileSync(fileURLToPath(new URL('../Dockerfile', import.meta.url)), 'utf8');
  const m = /^ENTRYPOINT\s+(\[.*\])/m.exec(text);
  if (!m) throw new Error('Dockerfile: no ENTRYPOINT in exec form');
  return (JSON.parse(m[1]!) as string[]).slice(1).filter((a) => a.startsWith('--'));
}
