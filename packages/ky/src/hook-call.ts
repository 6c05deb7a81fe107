type CallOptions = Partial<Record<'prefix' | 'prefixUrl' | 'baseUrl', string>> & {
  context?: object
  body?: unknown
  retry?: { limit?: number }
}
/** One hook invocation, whichever ky major made it, with the options apptoken reads. */
export type HookCall = { request: Request; options: CallOptions; response?: Response; retryCount: number }

const isResponse = (value: unknown): value is Response => typeof (value as Response)?.status === 'number'

/**
 * Reads a hook's arguments: ky 2 passes one state object `{ request, options, response?, retryCount }`,
 * ky 1 `(request, options, state)` to `beforeRequest` and `(request, options, response, state)` to `afterResponse`.
 */
export function readCall(args: unknown[]): HookCall & { major: 1 | 2 } {
  const [first, options, third, fourth] = args as [HookCall | Request, CallOptions, unknown, unknown]
  if ('request' in first) return { major: 2, ...first }
  const [response, state] = isResponse(third) ? [third, fourth] : [undefined, third]
  const { retryCount = 0 } = (state ?? {}) as { retryCount?: number }
  return { major: 1, request: first, options, retryCount, ...(response && { response }) }
}

/** The response an `afterResponse` call carries (ky 2: in its state object; ky 1: the third argument). */
export function responseOf(args: unknown[]): Response | undefined {
  const first = args[0] as { response?: unknown }
  const response = 'request' in first ? first.response : args[2]
  return isResponse(response) ? response : undefined
}

/** The base URL the request sees: an absolute ky 2 `prefix` or ky 1 `prefixUrl`, else ky 2's `baseUrl`. */
export function baseUrlOf({ prefix, prefixUrl, baseUrl }: CallOptions): string | undefined {
  const p = prefix || prefixUrl
  return p && /^[a-z][a-z\d+.-]*:/i.test(p) ? p : baseUrl || undefined
}
