/** One hook invocation, whichever ky major made it. */
export interface HookCall {
  major: 1 | 2
  request: Request
  options: { context?: object; body?: unknown; retry?: { limit?: number } }
  response?: Response
  retryCount: number
}

const isResponse = (value: unknown): value is Response =>
  typeof (value as Response | undefined)?.status === 'number'

/**
 * Reads a hook's arguments: ky 2 passes one state object `{ request, options, response?,
 * retryCount }`; ky 1 passes `(request, options, state)` to `beforeRequest` and
 * `(request, options, response, state)` to `afterResponse`.
 */
export function readCall(args: readonly unknown[]): HookCall {
  const [first, options, third, fourth] = args as [unknown, HookCall['options'], unknown, unknown]
  if (typeof first === 'object' && first !== null && 'request' in first)
    return { major: 2, ...(first as Omit<HookCall, 'major'>) }
  const state = (isResponse(third) ? fourth : third) as { retryCount?: number } | undefined
  return {
    major: 1,
    request: first as Request,
    options,
    ...(isResponse(third) && { response: third }),
    retryCount: state?.retryCount ?? 0,
  }
}
