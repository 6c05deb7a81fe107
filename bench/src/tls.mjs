import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A throwaway self-signed certificate for https on loopback. `@apptoken/testing`'s
 * `createTestCertificate()` makes client-authentication certificates without a subjectAltName, and
 * Node matches an IP host only against SAN entries, so the server certificate comes from openssl.
 * The children trust it through NODE_EXTRA_CA_CERTS; verification stays on everywhere.
 */
export function createServerCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'apptoken-bench-tls-'))
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '2',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ],
    { stdio: 'ignore' },
  )
  return {
    cert: readFileSync(certPath, 'utf8'),
    key: readFileSync(keyPath, 'utf8'),
    caPath: certPath,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  }
}
