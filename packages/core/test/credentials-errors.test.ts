import { createPrivateKey } from 'node:crypto'
import { chmodSync, writeFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestCertificate, encryptPrivateKey, type TestCertificate } from '@apptoken/testing'
import {
  clientCertificate,
  isConfigurationError,
  workloadIdentity,
  type ConfigurationError,
} from '../src/index.js'
import { scratchDir, SECRET_LOOKING } from './credentials-support.js'

let certA: TestCertificate
let certB: TestCertificate
const scratch = scratchDir()

beforeAll(async () => {
  ;[certA, certB] = await Promise.all([createTestCertificate(), createTestCertificate()])
})
afterAll(() => scratch.remove())

/** Runs `create`, expecting a ConfigurationError that leaks nothing; returns it. */
function configError(create: () => unknown, secrets: string[] = []): ConfigurationError {
  let caught: unknown
  try {
    create()
  } catch (error) {
    caught = error
  }
  expect(isConfigurationError(caught), `expected a ConfigurationError, got ${String(caught)}`).toBe(true)
  const error = caught as ConfigurationError
  for (const shown of [error.message, inspect(error), JSON.stringify(error)]) {
    expect(shown).not.toMatch(SECRET_LOOKING)
    for (const secret of secrets) expect(shown).not.toContain(secret)
  }
  return error
}

describe('certificate input errors', () => {
  it('names the file that cannot be read', () => {
    const missing = scratch.path('nope.pem')
    const error = configError(() => clientCertificate({ path: missing }))
    expect(error.option).toBe('path')
    expect(error.message).toContain(missing)
    expect(error.message).toMatch(/does not exist/)
  })

  it('names a file this process may not read', () => {
    if (process.getuid?.() === 0) {
      // root reads anything: a directory stands in for an unreadable path.
      const error = configError(() => clientCertificate({ path: scratch.dir }))
      expect(error.message).toMatch(/is a directory/)
      return
    }
    const file = scratch.path('locked.pem')
    writeFileSync(file, certA.combinedPem)
    chmodSync(file, 0)
    expect(configError(() => clientCertificate({ path: file })).message).toMatch(/may not read it/)
  })

  it('reports text that is not PEM', () => {
    const error = configError(() => clientCertificate({ certificate: 'hello, not a certificate' }))
    expect(error.option).toBe('certificate')
    expect(error.message).toMatch(/contains no PEM block/)
  })

  it('reports a binary (DER / .pfx) file with the command that converts it', () => {
    const file = scratch.path('cert.pfx')
    writeFileSync(file, Buffer.from([0x30, 0x82, 0x0a, 0x10, 0x02, 0x01, 0x03]))
    const error = configError(() => clientCertificate({ path: file }))
    expect(error.message).toMatch(/binary \(DER or PKCS#12\/\.pfx\)/)
    expect(error.fix).toMatch(/openssl pkcs12/)
  })

  it('reports a damaged key block without quoting it', () => {
    const broken = certA.privateKey.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!!!!!!!!!!!!!!!!!')
    const error = configError(
      () => clientCertificate({ certificate: certA.certificate, privateKey: broken }),
      [certA.privateKey.slice(40, 80)],
    )
    expect(error.option).toBe('privateKey')
    expect(error.message).toMatch(/not a valid PEM key/)
  })

  it('reports a damaged certificate block', () => {
    const broken = certA.certificate.replace(/\n[A-Za-z0-9+/]{30}/, '\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
    const error = configError(() => clientCertificate({ certificate: broken, privateKey: certA.privateKey }))
    expect(error.option).toBe('certificate')
    expect(error.message).toMatch(/not a valid X\.509 certificate/)
  })

  it('reports a key that does not belong to the certificate', () => {
    const error = configError(() =>
      clientCertificate({ certificate: certA.certificate, privateKey: certB.privateKey }),
    )
    expect(error.option).toBe('privateKey')
    expect(error.message).toMatch(/does not belong to the certificate/)
  })

  it('reports a missing key and a missing certificate', () => {
    expect(configError(() => clientCertificate({ certificate: certA.certificate })).option).toBe('privateKey')
    expect(configError(() => clientCertificate({ privateKey: certA.privateKey })).option).toBe('certificate')
    const file = scratch.path('cert-only.pem')
    writeFileSync(file, certA.certificate)
    const error = configError(() => clientCertificate({ path: file }))
    expect(error.option).toBe('path')
    expect(error.message).toMatch(/no private key/)
  })

  it('reports a wrong or missing passphrase, never echoing it', () => {
    const encrypted = encryptPrivateKey(certA.privateKey, 'the-right-one')
    const wrong = configError(
      () =>
        clientCertificate({
          certificate: certA.certificate,
          privateKey: encrypted,
          passphrase: 'Sup3r-Wr0ng-Passphrase',
        }),
      ['Sup3r-Wr0ng-Passphrase', 'the-right-one'],
    )
    expect(wrong.option).toBe('passphrase')
    expect(wrong.message).toMatch(/does not decrypt the private key/)
    const missing = configError(() =>
      clientCertificate({ certificate: certA.certificate, privateKey: encrypted }),
    )
    expect(missing.option).toBe('passphrase')
    expect(missing.message).toMatch(/encrypted and no passphrase was given/)
    const legacy = createPrivateKey(certA.privateKey)
      .export({ format: 'pem', type: 'pkcs1', cipher: 'aes-128-cbc', passphrase: 'x' })
      .toString()
    expect(
      configError(() =>
        clientCertificate({ certificate: certA.certificate, privateKey: legacy, passphrase: 'y' }),
      ).option,
    ).toBe('passphrase')
  })

  it('rejects contradictory or empty options', () => {
    expect(
      configError(() => clientCertificate({ path: 'a.pem', certificate: certA.certificate })).option,
    ).toBe('path')
    expect(configError(() => clientCertificate({})).option).toBe('certificate')
    expect(configError(() => clientCertificate([])).option).toBe('clientCertificate')
    expect(
      configError(() => clientCertificate({ certificate: certA.combinedPem, algorithm: 'ES256' as 'PS256' }))
        .option,
    ).toBe('algorithm')
  })

  it('names the list position of a bad certificate in a rotation list', () => {
    const error = configError(() =>
      clientCertificate([
        { certificate: certA.combinedPem },
        { certificate: certA.certificate, privateKey: certB.privateKey },
      ]),
    )
    expect(error.option).toBe('[1].privateKey')
  })
})

describe('workload identity input errors', () => {
  it('names AZURE_FEDERATED_TOKEN_FILE when the variable points nowhere', () => {
    const missing = scratch.path('no-token')
    const error = configError(() => workloadIdentity({ env: { AZURE_FEDERATED_TOKEN_FILE: missing } }))
    expect(error.option).toBe('AZURE_FEDERATED_TOKEN_FILE')
    expect(error.message).toContain(missing)
    expect(error.message).toMatch(/does not exist/)
    expect(error.fix).toMatch(/azure\.workload\.identity/)
  })

  it('names tokenFilePath when the option points nowhere, and says the variable is unset', () => {
    expect(configError(() => workloadIdentity({ tokenFilePath: scratch.path('nothing') })).option).toBe(
      'tokenFilePath',
    )
    const unset = configError(() => workloadIdentity({ env: {} }))
    expect(unset.option).toBe('tokenFilePath')
    expect(unset.message).toMatch(/AZURE_FEDERATED_TOKEN_FILE is not set/)
  })

  it('reports an empty token file', () => {
    const file = scratch.path('empty-token')
    writeFileSync(file, '\n')
    expect(configError(() => workloadIdentity({ tokenFilePath: file })).message).toMatch(/is empty/)
  })
})
