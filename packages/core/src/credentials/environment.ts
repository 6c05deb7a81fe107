/**
 * The variables credentials read; `process.env` unless a test or a caller passes its own.
 *
 * @example
 * ```ts
 * fromEnvironment({ AZURE_CLIENT_SECRET: vault.secret, AZURE_CLIENT_ID: id, AZURE_TENANT_ID: tenant })
 * ```
 */
export type Environment = Readonly<Record<string, string | undefined>>

/** A variable's value, with empty or blank values treated as unset. */
export function envValue(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim()
  return value === undefined || value === '' ? undefined : value
}

/** `true`, `1` or `yes` (any case). */
export const envFlag = (env: Environment, name: string): boolean =>
  /^(true|1|yes)$/i.test(envValue(env, name) ?? '')

/** Removes undefined values, for objects typed with exactOptionalPropertyTypes. */
export function defined<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
