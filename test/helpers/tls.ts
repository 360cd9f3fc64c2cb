// A throwaway serving certificate for tests of the HTTPS listener (localhost and 127.0.0.1).
import { generate } from 'selfsigned';

export interface Pems {
  key: string;
  cert: string;
}

export async function makeCert(cn: string): Promise<Pems> {
  const g = await generate([{ name: 'commonName', value: cn }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: g.private, cert: g.cert };
}
