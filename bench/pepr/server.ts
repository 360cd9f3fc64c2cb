// The Pepr peer in a process of its own, as Pepr's controller runs a module (node, no container):
// `node server.js PORT` with SSL_KEY_PATH/SSL_CERT_PATH, PEPR_API_PATH and KUBECONFIG (the e2e control
// plane, for Pepr's store) in the environment. bench/run.ts waits for /healthz, which Pepr serves
// only once its store is synced and the admission routes are bound.
import { startPepr } from './module.js';

startPepr(Number(process.argv[2]));
