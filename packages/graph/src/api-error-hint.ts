import { apiErrorHint } from '@apptoken/core'

interface GraphErrorBody {
  error: { message?: unknown; hint?: string }
}

function parseGraphError(text: string): GraphErrorBody | undefined {
  try {
    const body = JSON.parse(text) as Partial<GraphErrorBody> | null
    return typeof body?.error === 'object' && body.error !== null ? (body as GraphErrorBody) : undefined
  } catch {
    return undefined
  }
}

/**
 * Adds core's hint (`apiErrorHint`) to a Graph 401/403 answer, so the SDK's error says what to do:
 * appended to `error.message` and set as `error.hint` in the JSON body. Other answers pass unchanged.
 */
export async function withApiErrorHint(response: Response): Promise<Response> {
  if (response.status !== 401 && response.status !== 403) return response
  const text = await response.clone().text()
  const hint = apiErrorHint(response.status, text)
  const body = hint === undefined ? undefined : parseGraphError(text)
  if (body === undefined || hint === undefined) return response
  await response.body?.cancel()
  body.error.hint = hint
  body.error.message = typeof body.error.message === 'string' ? `${body.error.message} Hint: ${hint}` : hint
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  headers.delete('content-encoding')
  return new Response(JSON.stringify(body), {
    status: response.status,
    statusText: response.statusText,
    headers,
  })
}
