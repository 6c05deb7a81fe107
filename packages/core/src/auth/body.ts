/**
 * Whether a request body can be sent a second time: absent, text, bytes, URLSearchParams,
 * FormData or Blob. Streams and async iterables are consumed by the first send.
 *
 * @example
 * ```ts
 * isReplayableBody(JSON.stringify(item)) // true
 * isReplayableBody(fs.createReadStream(path)) // false
 * ```
 */
export function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null) return true
  if (typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true
  if (body instanceof URLSearchParams || body instanceof Blob || body instanceof FormData) return true
  if (typeof body !== 'object') return false
  const b = body as Record<PropertyKey, unknown>
  if (typeof b.pipe === 'function' || typeof b.getReader === 'function') return false
  if (typeof b[Symbol.asyncIterator] === 'function') return false
  if (typeof b[Symbol.iterator] === 'function') return false
  return true // a plain object that the client serialises (axios, got `json`)
}
