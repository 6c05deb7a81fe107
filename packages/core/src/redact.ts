/**
 * Keeps secret values out of every message apptoken builds. Credentials remember the secrets
 * they hold ({@link rememberSecret}); every {@link ApptokenError} message, and every text a
 * server sent back (`error_description`, an HTML error page), passes through {@link redact}, so
 * a secret reflected by a proxy or passed by mistake as another option never reaches a log.
 */

const REDACTED = '[redacted]'
/** Secrets shorter than this are not scrubbed from text: they would blank out ordinary words. */
const MIN_LENGTH = 6
/** Bounded: a secret function that returns a new value on every call must not grow this forever. */
const MAX_REMEMBERED = 64

const remembered = new Set<string>()

const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2)

/** The spellings a value takes on the wire and in JSON: raw, percent-encoded, form-encoded, JSON-escaped. */
function spellings(value: string): string[] {
  const out = new Set([
    value,
    encodeURIComponent(value),
    formEncode(value),
    JSON.stringify(value).slice(1, -1),
  ])
  return [...out].filter((s) => s.length >= MIN_LENGTH)
}

/**
 * Remembers a secret value (a client secret, a password) so that no apptoken error or log
 * message can quote it. Bounded; the oldest value is forgotten first.
 */
export function rememberSecret(value: string): void {
  if (typeof value !== 'string' || value.length < MIN_LENGTH || remembered.has(value)) return
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.values().next().value as string)
  remembered.add(value)
}

/**
 * `text` with every remembered secret, and every value of `also` (the assertion of this request,
 * say), replaced by `[redacted]` in any of its wire spellings.
 */
export function redact(text: string, also: readonly string[] = []): string {
  if (remembered.size === 0 && also.length === 0) return text
  let out = text
  for (const value of [...remembered, ...also]) {
    for (const spelled of spellings(value)) if (out.includes(spelled)) out = out.split(spelled).join(REDACTED)
  }
  return out
}
