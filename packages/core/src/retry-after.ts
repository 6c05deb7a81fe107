/**
 * Response headers as undici and node:http give them.
 *
 * @example
 * ```ts
 * const headers: HeaderBag = { 'retry-after': '5', 'set-cookie': ['a=1', 'b=2'] } // lower-case names
 * parseRetryAfter(headers, Date.now()) // 5000
 * ```
 */
export type HeaderBag = Record<string, string | string[] | undefined>

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})'
const MONTH = `(${MONTHS.join('|')})`
// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete rfc850-date and asctime-date a recipient must accept.
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`)
const RFC850_DATE = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`,
)
const ASCTIME_DATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`)

function utc(year: number, month: string, day: string, h: string, m: string, s: string): number | undefined {
  const mon = MONTHS.indexOf(month)
  const [d, hh, mm, ss] = [Number(day), Number(h), Number(m), Number(s)]
  if (hh > 23 || mm > 59 || ss > 60) return undefined
  const time = Date.UTC(year, mon, d, hh, mm, Math.min(ss, 59))
  // Date.UTC rolls 31 Feb over into March: such a date does not exist.
  return new Date(time).getUTCDate() === d ? time : undefined
}

/**
 * Reads an HTTP-date by the RFC 9110 grammar (`Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete
 * `Sunday, 06-Nov-94 08:49:37 GMT` and `Sun Nov  6 08:49:37 1994`). Names are case-sensitive and
 * anything else is `undefined`: unlike `Date.parse`, no local time zone or free-form text.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7
 * @example
 * ```ts
 * parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT') // 784111777000
 * parseHttpDate('2026-10-21')                    // undefined
 * ```
 */
export function parseHttpDate(value: string, now: number = Date.now()): number | undefined {
  let m = IMF_FIXDATE.exec(value)
  if (m !== null) return utc(Number(m[3]), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!)
  m = RFC850_DATE.exec(value)
  if (m !== null) {
    // A two-digit year more than 50 years ahead is the most recent past year with those digits.
    const thisYear = new Date(now).getUTCFullYear()
    let year = Math.floor(thisYear / 100) * 100 + Number(m[3])
    if (year > thisYear + 50) year -= 100
    return utc(year, m[2]!, m[1]!, m[4]!, m[5]!, m[6]!)
  }
  m = ASCTIME_DATE.exec(value)
  if (m !== null) return utc(Number(m[6]), m[1]!, m[2]!.trim(), m[3]!, m[4]!, m[5]!)
  return undefined
}

/**
 * The delay a server asked for, in ms: `retry-after-ms`, `x-ms-retry-after-ms`, then
 * `Retry-After` as delay-seconds or an HTTP-date. `undefined` when absent or unreadable.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 * @example
 * ```ts
 * parseRetryAfter({ 'retry-after': '5' }, Date.now())                            // 5000
 * parseRetryAfter({ 'x-ms-retry-after-ms': '1500' }, Date.now())                 // 1500
 * parseRetryAfter({ 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }, Date.now()) // ms until that date; 0 once past
 * ```
 */
export function parseRetryAfter(headers: HeaderBag, now: number): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = header(headers, name)
    if (v !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.max(0, Number(v))
  }
  const ra = header(headers, 'retry-after')?.trim()
  if (!ra) return undefined
  if (/^\d+(\.\d+)?$/.test(ra)) return Number(ra) * 1000
  const date = parseHttpDate(ra, now)
  return date === undefined ? undefined : Math.max(0, date - now)
}
