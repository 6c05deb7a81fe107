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
 * The decoded claims of a Bearer `insufficient_claims` challenge (CAE), or `undefined`.
 *
 * @example
 * ```ts
 * claimsFromChallenge(res.headers.get('www-authenticate')) // '{"access_token":{...}}'
 * ```
 */
export function claimsFromChallenge(header: string | null | undefined): string | undefined {
  if (!header) return undefined
  for (const c of parseWwwAuthenticate(header)) {
    const claims = c.params.claims
    if (c.scheme === 'bearer' && c.params.error === 'insufficient_claims' && claims) {
      const decoded = Buffer.from(claims, claims.includes('{') ? 'utf8' : 'base64').toString('utf8')
      return decoded.trim().startsWith('{') ? decoded : undefined
    }
  }
  return undefined
}
