import { ConfigurationError } from '../errors.js'

/** A parsed settings object. */
export type Json = Record<string, unknown>

/** A JSON object (not an array). */
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A key of a .NET configuration object: keys are case-insensitive. */
export function get(obj: Json, key: string): unknown {
  if (key in obj) return obj[key]
  const lower = key.toLowerCase()
  const found = Object.keys(obj).find((k) => k.toLowerCase() === lower)
  return found === undefined ? undefined : obj[found]
}

/** A string setting, trimmed; `undefined` when absent or blank. */
export function text(obj: Json, key: string, path: string): string | undefined {
  const value = get(obj, key)
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string')
    throw new ConfigurationError(
      `${path}.${key}`,
      `it is a ${typeof value}, not a string`,
      `write "${key}" as a JSON string`,
    )
  return value.trim() === '' ? undefined : value.trim()
}

/** `true` or `"true"` (any case). */
export const flag = (obj: Json, key: string): boolean => {
  const v = get(obj, key)
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true')
}
