import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  /** PEM of the private CA that signed both certificates. */
  caPem: string;
  caFile: string;
  /** PKCS#12 keystore of the broker (localhost, 127.0.0.1), protected by `keystorePassword`. */
  brokerKeystore: string;
  keystorePassword: string;
  /** The client's certificate chain and its PKCS#8 private key encrypted with `clientKeyPassword` (PBES2). */
  clientPem: string;
  clientKeyPem: string;
  /** The same key encrypted with a PBES1 scheme (PBE-SHA1-3DES), the only kind Lambda's event source mappings decrypt. */
  clientKeyPbes1Pem: string;
  clientKeyPassword: string;
}

/** A throwaway CA, a broker certificate and a client certificate, made with openssl in `dir`. */
export function makeTestCertificates(dir: string): TestCertificates {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const keystorePassword = 'broker-keystore-pass';
  const clientKeyPassword = 'client-key-pass';

  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=air-quality test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const sign = (name: string, subject: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  sign('broker', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  sign('client', '/CN=air-quality-pipeline', 'extendedKeyUsage=clientAuth\n');
  openssl(
    'pkcs12',
    '-export',
    '-in',
    'broker.pem',
    '-inkey',
    'broker.key',
    '-certfile',
    'ca.pem',
    '-name',
    'broker',
    '-out',
    'broker.p12',
    '-passout',
    `pass:${keystorePassword}`,
  );
  openssl(
    'pkcs8',
    '-topk8',
    '-in',
    'client.key',
    '-out',
    'client-encrypted.key',
    '-v2',
    'aes-256-cbc',
    '-passout',
    `pass:${clientKeyPassword}`,
  );
  openssl(
    'pkcs8',
    '-topk8',
    '-in',
    'client.key',
    '-out',
    'client-pbes1.key',
    '-v1',
    'PBE-SHA1-3DES',
    '-passout',
    `pass:${clientKeyPassword}`,
  );

  return {
    caPem: readFileSync(file('ca.pem'), 'utf8'),
    caFile: file('ca.pem'),
    brokerKeystore: file('broker.p12'),
    keystorePassword,
    clientPem: readFileSync(file('client.pem'), 'utf8'),
    clientKeyPem: readFileSync(file('client-encrypted.key'), 'utf8'),
    clientKeyPbes1Pem: readFileSync(file('client-pbes1.key'), 'utf8'),
    clientKeyPassword,
  };
}
