/**
 * One challenge of a `WWW-Authenticate` header.
 *
 * @example
 * ```ts
 * const [challenge] = parseWwwAuthenticate('Bearer realm="api", error="invalid_token"')
 * // { scheme: 'bearer', params: { realm: 'api', error: 'invalid_token' } }
 * ```
 */
export interface AuthChallenge {
  /** Lower-cased scheme, e.g. `bearer`. */
  scheme: string
  /** Parameters with lower-cased names; quoted values unescaped. */
  params: Record<string, string>
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y
const SPACE = /[ \t]*/y

/**
 * Parses a `WWW-Authenticate` value into its challenges (RFC 9110 §11.6.1): several challenges,
 * quoted strings with escapes, commas inside quotes, token68 values.
 *
 * @example
 * ```ts
 * parseWwwAuthenticate('Bearer realm="", error="insufficient_claims", claims="eyJ..."')
 * // [{ scheme: 'bearer', params: { realm: '', error: 'insufficient_claims', claims: 'eyJ...' } }]
 * ```
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = []
  let i = 0
  const skip = (re: RegExp) => {
    re.lastIndex = i
    const m = re.exec(header)
    if (m) i = re.lastIndex
    return m?.[0]
  }
  const skipSeparators = () => {
    while (i < header.length && (header[i] === ',' || header[i] === ' ' || header[i] === '\t')) i++
  }
  const quoted = (): string => {
    let out = ''
    i++ // opening quote
    while (i < header.length && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < header.length) i++
      out += header[i]
      i++
    }
    i++ // closing quote
    return out
  }
  skipSeparators()
  while (i < header.length) {
    const scheme = skip(TOKEN)
    if (!scheme) break
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} }
    challenges.push(challenge)
    skip(SPACE)
    for (;;) {
      const start = i
      const name = skip(TOKEN)
      if (!name) break
      skip(SPACE)
      if (header[i] !== '=') {
        // A new scheme begins (e.g. `Bearer a="b", Basic realm="x"`).
        i = start
        break
      }
      i++
      if (header[i] === '=') {
        // token68 such as `Negotiate abc==`
        while (header[i] === '=') i++
        challenge.params[''] = name
      } else {
        skip(SPACE)
        challenge.params[name.toLowerCase()] = header[i] === '"' ? quoted() : (skip(/[^,\s]*/y) ?? '')
      }
      skip(SPACE)
      if (header[i] !== ',') break
      i++
      skip(SPACE)
    }
    skipSeparators()
  }
  return challenges
}

/**
 * What a `WWW-Authenticate` header asks for: `none` (no claims challenge), `claims` (a Bearer
 * `insufficient_claims` challenge with its decoded claims JSON), or `invalid` (a claims challenge
 * that cannot be decoded into a JSON object: the 401 goes to the caller as it is).
 *
 * @example
 * ```ts
 * readClaimsChallenge('Bearer error="insufficient_claims", claims="eyJ"') // { kind: 'invalid' }
 * ```
 */
export type ClaimsChallenge = { kind: 'none' } | { kind: 'claims'; claims: string } | { kind: 'invalid' }

function decodeClaims(claims: string): string | undefined {
  const decoded = Buffer.from(claims, claims.includes('{') ? 'utf8' : 'base64').toString('utf8')
  try {
    const value: unknown = JSON.parse(decoded)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? decoded : undefined
  } catch {
    return undefined
  }
}

/**
 * Reads the claims challenge (CAE) of a `WWW-Authenticate` header.
 *
 * @example
 * ```ts
 * const c = readClaimsChallenge(res.headers.get('www-authenticate'))
 * if (c.kind === 'claims') await provider.getToken(scope, { claims: c.claims })
 * ```
 */
export function readClaimsChallenge(header: string | null | undefined): ClaimsChallenge {
  if (!header) return { kind: 'none' }
  for (const c of parseWwwAuthenticate(header)) {
    if (c.scheme !== 'bearer' || c.params.error !== 'insufficient_claims') continue
    const claims = c.params.claims === undefined ? undefined : decodeClaims(c.params.claims)
    return claims === undefined ? { kind: 'invalid' } : { kind: 'claims', claims }
  }
  return { kind: 'none' }
}

/**
 * The decoded claims of a Bearer `insufficient_claims` challenge (CAE), or `undefined` (none, or
 * one that is not a JSON object).
 *
 * @example
 * ```ts
 * claimsFromChallenge(res.headers.get('www-authenticate')) // '{"access_token":{...}}'
 * ```
 */
export function claimsFromChallenge(header: string | null | undefined): string | undefined {
  const c = readClaimsChallenge(header)
  return c.kind === 'claims' ? c.claims : undefined
}
