// The cluster cache's heap at N Deployments (+ N/5 HPAs), without an API server: each realistic
// object (test/helpers/realistic-objects.ts, as stored: managedFields, status) goes through JSON text
// and JSON.parse as from the wire, is trimmed (core/cache-fields.ts) and kept in two maps as
// controller/list-watch.ts keeps it. What bench:scale cannot reach on a small machine (populating a
// real API server with 50,000 objects), this measures directly.
// Run: node --expose-gc --import tsx bench/cache-heap.ts [N=50000]
import { trimDeployment, trimHpa } from '../src/core/cache-fields.js';
import { asStored, realisticDeployment, realisticHpa } from '../test/helpers/realistic-objects.js';

const N = Number(process.argv[2] ?? 50_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
type Meta = { metadata: { namespace: string; name: string } };
gc();
const before = process.memoryUsage().heapUsed;
// one store per resource, as ClusterCache has one ListWatch each
const stores = {
  deployments: { objects: new Map<string, Meta>(), byNamespace: new Map<string, Map<string, Meta>>() },
  hpas: { objects: new Map<string, Meta>(), byNamespace: new Map<string, Map<string, Meta>>() },
};
const keep = (store: (typeof stores)['deployments'], o: Meta) => {
  store.objects.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
  let m = store.byNamespace.get(o.metadata.namespace);
  if (!m) store.byNamespace.set(o.metadata.namespace, (m = new Map()));
  m.set(o.metadata.name, o);
};
let wire = 0;
for (let i = 0; i < N; i++) {
  const text = JSON.stringify(asStored(realisticDeployment(i), i));
  wire += text.length;
  keep(stores.deployments, trimDeployment(JSON.parse(text) as Meta));
  if (i % 5 === 0) keep(stores.hpas, trimHpa(JSON.parse(JSON.stringify(asStored(realisticHpa(i), i))) as Meta));
}
gc();
const after = process.memoryUsage().heapUsed;
console.log(
  `${N} Deployments + ${Math.ceil(N / 5)} HPAs: ${(wire / N / 1024).toFixed(1)} KiB of JSON per Deployment on the wire; ` +
    `the trimmed cache holds ${((after - before) / 1048576).toFixed(1)} MiB of heap = ${((after - before) / N / 1024).toFixed(2)} KiB per Deployment (its HPA share included); ${stores.deployments.objects.size} Deployments and ${stores.hpas.objects.size} HPAs in ${stores.deployments.byNamespace.size} namespaces`,
);
