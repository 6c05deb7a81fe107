import { randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A challenge file an Arc endpoint names in its realm, and how it breaks the rules a client must
 * check: outside the token directory, a symbolic link, a directory, a 5 KB file, a missing file,
 * or a name that does not end in `.key`.
 *
 * @example
 * ```ts
 * const fault: ArcRealmFault = 'symlink'
 * // endpoint.failNext({ arcRealm: fault }): the client must refuse, and never read the target
 * ```
 */
export type ArcRealmFault = 'outside' | 'symlink' | 'directory' | 'oversized' | 'missing' | 'notKey'

/** The Arc agent's token directory, in a temporary directory, and the keys it handed out. */
export class ArcChallenges {
  /** The token directory (what `arcKeyDirectory` should be). */
  readonly directory: string
  readonly #root: string
  readonly #outside: string
  readonly #keys = new Set<string>()

  constructor() {
    this.#root = mkdtempSync(join(tmpdir(), 'apptoken-arc-'))
    this.directory = join(this.#root, 'tokens')
    this.#outside = join(this.#root, 'elsewhere')
    mkdirSync(this.directory)
    mkdirSync(this.#outside)
  }

  /** Writes a fresh key file (a valid one, unless `fault` breaks a rule) and returns the realm path. */
  issue(fault?: ArcRealmFault): string {
    const key = randomBytes(32).toString('base64url')
    const name = `${randomUUID()}.key`
    const inside = join(this.directory, name)
    // Each bad realm still leads to a key the endpoint would accept: a client that reads it gets a token.
    this.#keys.add(key)
    switch (fault) {
      case undefined:
        writeFileSync(inside, key, { mode: 0o600 })
        return inside
      case 'outside': {
        const file = join(this.#outside, name)
        writeFileSync(file, key)
        return file
      }
      case 'symlink': {
        const target = join(this.#outside, name)
        writeFileSync(target, key)
        symlinkSync(target, inside)
        return inside
      }
      case 'directory':
        mkdirSync(inside)
        return inside
      case 'oversized':
        writeFileSync(inside, key.padEnd(5 * 1024, 'A'))
        this.#keys.add(key.padEnd(5 * 1024, 'A'))
        return inside
      case 'missing':
        return inside
      case 'notKey': {
        const file = join(this.directory, `${randomUUID()}.txt`)
        writeFileSync(file, key)
        return file
      }
    }
  }

  /** Whether `Authorization: Basic <key>` carries a key this endpoint wrote. */
  accepts(authorization: string | undefined): boolean {
    const key = /^Basic (.+)$/.exec(authorization ?? '')?.[1]
    return key !== undefined && this.#keys.has(key)
  }

  remove(): void {
    rmSync(this.#root, { recursive: true, force: true })
  }
}
