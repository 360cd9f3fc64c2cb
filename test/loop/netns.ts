// The one non-loopback network a test may use: a network namespace it creates itself, joined to the host
// by a veth pair on a /30 (host side .1, namespace side .2, no default route). prometheus-adapter runs
// inside it because the API server refuses loopback addresses in Endpoints and EndpointSlices, so the
// aggregation layer cannot reach a loopback adapter (../shared/REAL-LOOP.md). kube-apiserver and
// Prometheus bind the host side, which the namespace reaches and nothing outside this machine does.
// Deleted on every exit path: remove(), the process's 'exit', and SIGINT/SIGTERM.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Netns {
  /** the namespace's name (for `ip netns exec`) */
  name: string;
  /** the host side of the veth: kube-apiserver and Prometheus listen here */
  hostIp: string;
  /** the namespace side: the adapter's EndpointSlice address */
  nsIp: string;
  /** argv prefix that runs a command inside the namespace */
  exec: (argv: string[]) => string[];
  remove(): void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createNetns(): Netns {
  if (process.getuid?.() !== 0) throw new Error('test/loop needs root: it creates a network namespace and a veth pair (ip netns add)');
  const id = randomBytes(3).toString('hex');
  const name = `gpuhpa-${id}`;
  const hostIf = `gh${id}h`; // interface names: at most 15 characters
  const nsIf = `gh${id}n`;
  // a random /30 in 10.201.0.0/16, so runs in parallel do not collide (the names are unique anyway)
  const n = randomBytes(2).readUInt16BE() & 0x3ffc; // 14 random bits, the last two zero: a /30's network address
  const hostIp = `10.201.${n >> 8}.${(n & 0xff) + 1}`;
  const nsIp = `10.201.${n >> 8}.${(n & 0xff) + 2}`;
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    // deleting the namespace destroys its end of the pair, and with it the host end; delete both explicitly anyway
    try {
      ip('netns', 'del', name);
    } catch {
      /* not there */
    }
    try {
      ip('link', 'del', hostIf);
    } catch {
      /* gone with the namespace */
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    remove();
    process.kill(process.pid, sig);
  };
  process.once('exit', remove);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    ip('netns', 'add', name);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', name);
    ip('addr', 'add', `${hostIp}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${nsIp}/30`, 'dev', nsIf);
    ip('netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  } catch (e) {
    remove();
    throw new Error(`creating network namespace ${name}: ${(e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}`);
  }
  return {
    name,
    hostIp,
    nsIp,
    exec: (argv) => ['ip', 'netns', 'exec', name, ...argv],
    remove: () => {
      remove();
      process.off('exit', remove);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Whether a namespace of that name exists (tests check that remove() left nothing behind). */
export function netnsExists(name: string): boolean {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .some((l) => l.split(' ')[0] === name);
}
