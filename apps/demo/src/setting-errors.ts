import { ConfigurationError, isConfigurationError } from '@apptoken/core'

/**
 * Re-labels a core {@link ConfigurationError} with the setting it came from, keeping its words.
 *
 * @example
 * ```ts
 * try { attach() } catch (e) { throw relabel(e, 'MyWebApi.Scopes') }
 * ```
 */
export function relabel(error: unknown, setting: string): unknown {
  if (!isConfigurationError(error) || error.option === setting) return error
  return new ConfigurationError(setting, problemOf(error), error.fix)
}

/** The problem part of a ConfigurationError's message (`Invalid option "x": <problem>. Fix: <fix>`). */
function problemOf(error: ConfigurationError): string {
  const prefix = `Invalid option "${error.option}": `
  const suffix = `. Fix: ${error.fix}`
  const { message } = error
  return message.startsWith(prefix) && message.endsWith(suffix)
    ? message.slice(prefix.length, -suffix.length)
    : message
}

/**
 * One line for a configuration error: the setting, the problem and the fix.
 *
 * @example
 * ```ts
 * settingMessage(error) // 'MyWebApi.Scopes: "User.Read" is not a client-credentials scope; ... Fix: use "https://graph.microsoft.com/.default"'
 * ```
 */
export function settingMessage(error: ConfigurationError): string {
  return `${error.option}: ${problemOf(error)}. Fix: ${error.fix}`
}

/**
 * Runs `create`; a configuration error it throws is re-labelled with the setting that feeds the
 * option it names (`names` maps core option names to settings, `*` for any other option).
 *
 * @example
 * ```ts
 * const client = withSettings({ scopes: 'MyWebApi.Scopes', origins: 'MyWebApi.BaseUrl' }, () => attach())
 * ```
 */
export function withSettings<T>(names: Readonly<Record<string, string>>, create: () => T): T {
  try {
    return create()
  } catch (error) {
    const option = isConfigurationError(error) ? error.option : undefined
    const setting = option === undefined ? undefined : (names[option] ?? names['*'])
    throw setting === undefined ? error : relabel(error, setting)
  }
}
