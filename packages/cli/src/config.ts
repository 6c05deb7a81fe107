import { isAbsolute, resolve } from 'node:path'
import {
  AzureCloud,
  clientCertificate,
  fromAppSettings,
  fromEnvironment,
  type Credential,
  type TokenProviderOptions,
} from '@apptoken/core'
import type { CliArgs } from './args.js'
import type { CliIo } from './io.js'

/** How the CLI is configured, and what it can say about it (never a secret). */
export interface CliConfig {
  options: TokenProviderOptions
  /** Where the configuration came from, for the checklist. */
  source: 'appsettings' | 'environment' | 'flags'
  credentialKind: string
  /** The Entra authority host (`https://login.microsoftonline.com` unless configured). */
  authorityHost: string
}

const value = (env: CliIo['env'], name: string): string | undefined => {
  const v = env[name]?.trim()
  return v === undefined || v === '' ? undefined : v
}

/**
 * Builds the provider options from `--appsettings`, else the `AZURE_*` variables; `--tenant`,
 * `--client-id`, `--authority` and `--certificate` win over both. Throws the core's
 * `ConfigurationError` for anything wrong (exit 2).
 *
 * @example
 * ```ts
 * const config = cliConfig(parseCliArgs(process.argv.slice(2)), { stdout, stderr, env: process.env })
 * const provider = createTokenProvider(config.options)
 * ```
 */
export function cliConfig(args: CliArgs, io: CliIo): CliConfig {
  const cwd = io.cwd ?? process.cwd()
  const path = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p))
  let credential: Credential
  let source: CliConfig['source']
  let base: { tenantId?: string; clientId?: string; authorityHost?: string }
  if (args.appsettings !== undefined) {
    const settings = fromAppSettings(path(args.appsettings), { env: io.env })
    credential = settings.credential
    base = { tenantId: settings.tenantId, clientId: settings.clientId, authorityHost: settings.authorityHost }
    source = 'appsettings'
  } else if (args.certificate !== undefined) {
    credential = clientCertificate({ path: path(args.certificate) })
    base = {
      ...defined('tenantId', value(io.env, 'AZURE_TENANT_ID')),
      ...defined('clientId', value(io.env, 'AZURE_CLIENT_ID')),
      ...defined('authorityHost', value(io.env, 'AZURE_AUTHORITY_HOST')),
    }
    source = 'flags'
  } else {
    credential = fromEnvironment(io.env)
    base = { ...defined('authorityHost', value(io.env, 'AZURE_AUTHORITY_HOST')) }
    source = 'environment'
  }
  const tenantId = args.tenant ?? base.tenantId
  const clientId = args.clientId ?? base.clientId
  const authorityHost = (args.authority ?? base.authorityHost ?? AzureCloud.Public).replace(/\/+$/, '')
  const options: TokenProviderOptions = {
    credential,
    authorityHost,
    ...(tenantId !== undefined && { tenantId }),
    ...(clientId !== undefined && { clientId }),
  }
  return { options, source, credentialKind: credential.kind, authorityHost }
}

function defined<K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> {
  return (v === undefined ? {} : { [key]: v }) as Partial<Record<K, string>>
}
