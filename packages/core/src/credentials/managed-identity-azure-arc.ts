import { constants, promises as fs } from 'node:fs'
import path from 'node:path'
import { InvalidTokenResponseError, TokenRequestError } from '../errors.js'
import { rememberSecret } from '../redact.js'
import type { Environment } from './environment.js'
import {
  endpointUrl,
  selectorParam,
  SELECTOR_NAMES,
  tokenUrl,
  tokenClaims,
  type Selector,
  type Source,
  TRANSIENT,
} from './managed-identity-source.js'

/** The Arc agent's endpoint when only its `himds` executable reveals it. */
export const ARC_DEFAULT_ENDPOINT = 'http://127.0.0.1:40342/metadata/identity/oauth2/token'
const MAX_KEY_BYTES = 4096

/** Where the Arc agent writes challenge files on this platform, or undefined where it has none. */
export function arcKeyDirectory(
  env: Environment,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (platform === 'linux') return '/var/opt/azcmagent/tokens'
  if (platform === 'win32')
    return `${env.ProgramData ?? process.env.ProgramData ?? 'C:\\ProgramData'}\\AzureConnectedMachineAgent\\Tokens`
  return undefined
}

const refuse = (rule: string): TokenRequestError =>
  new TokenRequestError({
    status: 401,
    error: 'invalid_challenge',
    errorDescription: `Azure Arc challenge refused: ${rule}; the file was not read`,
    hint: 'The endpoint answering on IDENTITY_ENDPOINT may not be the Azure Arc agent: check IDENTITY_ENDPOINT and IMDS_ENDPOINT (azcmagent show), and that apptoken runs as a user in the himds group.',
  })

/** Reads the challenge file named by `realm` if, and only if, every rule holds. */
async function readChallenge(realm: string, directory: string | undefined): Promise<string> {
  if (directory === undefined) throw refuse(`Azure Arc has no token directory on ${process.platform}`)
  const p = directory.includes('\\') && !directory.startsWith('/') ? path.win32 : path.posix
  const file = p.resolve(realm)
  const sameDir =
    p === path.win32
      ? p.dirname(file).toLowerCase() === p.resolve(directory).toLowerCase()
      : p.dirname(file) === p.resolve(directory)
  if (!sameDir) throw refuse(`the realm is not a file directly in the token directory ${directory}`)
  if (!file.endsWith('.key')) throw refuse('the realm does not name a .key file')
  const stat = await fs.lstat(file).catch(() => undefined)
  if (stat === undefined) throw refuse('the realm names a file that does not exist or cannot be read')
  if (stat.isSymbolicLink()) throw refuse('the realm names a symbolic link')
  if (!stat.isFile()) throw refuse('the realm does not name a regular file')
  if (stat.size > MAX_KEY_BYTES) throw refuse(`the realm names a file larger than ${MAX_KEY_BYTES} bytes`)
  // O_NOFOLLOW, then fstat: the file read is the one checked, even if it was swapped meanwhile.
  const handle = await fs.open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)).catch(() => {
    throw refuse('the realm names a file that cannot be opened')
  })
  try {
    const opened = await handle.stat()
    if (!opened.isFile() || opened.size > MAX_KEY_BYTES) throw refuse('the file changed while it was checked')
    const buffer = Buffer.alloc(MAX_KEY_BYTES + 1)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    if (bytesRead > MAX_KEY_BYTES) throw refuse(`the realm names a file larger than ${MAX_KEY_BYTES} bytes`)
    return buffer.subarray(0, bytesRead).toString('utf8').trim()
  } finally {
    await handle.close()
  }
}

/**
 * Azure Arc-enabled servers: GET `IDENTITY_ENDPOINT` with `Metadata: true`, api 2019-11-01. The
 * agent answers 401 with `WWW-Authenticate: Basic realm=<file>`; the file is read only if it is a
 * regular `.key` file of at most 4,096 bytes directly in the token directory, and the request is
 * sent once more with `Authorization: Basic <contents>`. A user-assigned selector is forwarded,
 * and a token for another identity is refused.
 */
export function azureArcSource(
  endpoint: { option: string; value: string },
  keyDirectory: string | undefined,
  selector: Selector,
): Source {
  const base = endpointUrl(endpoint.option, endpoint.value, ARC_DEFAULT_ENDPOINT)
  const id = selectorParam(selector, SELECTOR_NAMES.msi)
  return {
    name: 'azureArc',
    revocation: false,
    build(resource) {
      const url = tokenUrl(base, '2019-11-01', resource, id)
      return { url, method: 'GET', headers: { metadata: 'true', accept: 'application/json' } }
    },
    async challenge(answer, sent) {
      if (answer.status !== 401 || sent.headers.authorization !== undefined) return undefined
      const header = answer.headers['www-authenticate']
      const value = (Array.isArray(header) ? header.join(', ') : header) ?? ''
      const realm = /^\s*Basic\s+realm=("?)([^"]+)\1\s*$/i.exec(value)?.[2]
      if (realm === undefined) throw refuse('the 401 answer has no WWW-Authenticate: Basic realm=<file>')
      const secret = await readChallenge(realm, keyDirectory)
      rememberSecret(secret)
      return { ...sent, headers: { ...sent.headers, authorization: `Basic ${secret}` } }
    },
    check(token, body) {
      if (selector === undefined) return
      const claims = tokenClaims(token.accessToken) ?? {}
      const seen =
        selector.kind === 'clientId'
          ? (body.client_id ?? claims.appid ?? claims.azp)
          : selector.kind === 'objectId'
            ? claims.oid
            : claims.xms_mirid
      if (typeof seen === 'string' && seen.toLowerCase() !== selector.value.toLowerCase())
        throw new InvalidTokenResponseError(
          `Azure Arc answered with a token for another identity than the ${selector.kind} requested; it was refused`,
        )
    },
    hint: (status) =>
      TRANSIENT(status)
        ? 'The Azure Arc agent (himds) is unavailable; the request was retried. Check `azcmagent show` and try again shortly.'
        : 'The Azure Arc agent refused the request: check that the server is connected (azcmagent show), that the identity is assigned, and that apptoken runs as a user in the himds group.',
  }
}
