import type { Logger } from '@apptoken/core'

/** Token requests the provider reported, by scope: what the summary shows per resource. */
export interface TokenTally {
  acquired: Record<string, number>
}

/** The provider's logger and what it counted. */
export interface TokenLog {
  logger: Logger
  tally: TokenTally
}

// Core never passes token values, secrets or assertions; this is a second fence for the demo's output.
const HIDDEN = /token$|secret|assertion|password|authorization/i

const describe = (value: unknown): string => {
  if (Array.isArray(value)) return value.join(' ')
  if (typeof value === 'number' && value > 1e12) return new Date(value).toISOString().slice(11, 19) // epoch ms
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/**
 * A provider `logger` that counts token requests by scope and, with `--verbose`, writes each
 * token event as one line (`[apptoken] info token_acquired scopes=... source=authority`).
 *
 * @example
 * ```ts
 * const { logger, tally } = createTokenLog((line) => process.stderr.write(`${line}\n`))
 * ```
 */
export function createTokenLog(write: ((line: string) => void) | undefined): TokenLog {
  const tally: TokenTally = { acquired: {} }
  const log =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void => {
      if (fields.event === 'token_acquired' && fields.source === 'authority') {
        const scope = describe(fields.scopes)
        tally.acquired[scope] = (tally.acquired[scope] ?? 0) + 1
      }
      if (write === undefined) return
      const details = Object.entries(fields)
        .filter(([key, value]) => key !== 'event' && value !== undefined && !HIDDEN.test(key))
        .map(([key, value]) => `${key}=${describe(value)}`)
      write(
        `[apptoken] ${level.padEnd(5)} ${typeof fields.event === 'string' ? fields.event : message} ${details.join(' ')}`.trimEnd(),
      )
    }
  return { logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }, tally }
}
