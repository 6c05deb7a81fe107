import { parseArgs } from 'node:util'

/**
 * The parsed command line.
 *
 * @example
 * ```ts
 * const args: CliArgs = parseCliArgs(['doctor', '--scope', 'api://my-api/.default'])
 * if (args.command === 'doctor') console.log(args.scope)
 * ```
 */
export interface CliArgs {
  command: 'token' | 'doctor' | 'help'
  scope: string | undefined
  url: string | undefined
  json: boolean
  appsettings: string | undefined
  tenant: string | undefined
  clientId: string | undefined
  authority: string | undefined
  certificate: string | undefined
}

/**
 * A usage error (unknown command, missing scope): the message says what was wrong; exit code 2.
 *
 * @example
 * ```ts
 * try { parseCliArgs(['frobnicate']) } catch (e) { if (e instanceof UsageError) console.error(e.message) }
 * ```
 */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE'
}

/**
 * The help text `apptoken --help` prints.
 *
 * @example
 * ```ts
 * process.stdout.write(USAGE)
 * ```
 */
export const USAGE = `Usage:
  apptoken token <scope> [--json]                 print an app token (--json: with its decoded claims)
  apptoken doctor [--scope <scope>] [--url <api>] [--json]
                                                  check the setup, each line with its fix

Configuration (flags win over variables):
  AZURE_TENANT_ID, AZURE_CLIENT_ID, and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH
  (or AZURE_FEDERATED_TOKEN_FILE, or managed identity), AZURE_AUTHORITY_HOST
  --appsettings <file>   a .NET appsettings.json (AzureAd section)
  --tenant <id>  --client-id <id>  --authority <url>  --certificate <pem file>
  Secrets are never taken as flags (they would stay in the shell history).

Exit codes: 0 all passed, 1 a check failed, 2 usage or configuration error.
`

/**
 * Parses `argv` (without node and the script).
 *
 * @example
 * ```ts
 * parseCliArgs(['token', 'https://graph.microsoft.com/.default', '--json'])
 * ```
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        scope: { type: 'string' },
        url: { type: 'string' },
        json: { type: 'boolean', default: false },
        appsettings: { type: 'string' },
        tenant: { type: 'string' },
        'client-id': { type: 'string' },
        authority: { type: 'string' },
        certificate: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  const [command, ...rest] = positionals
  const common = {
    json: values.json,
    appsettings: values.appsettings,
    tenant: values.tenant,
    clientId: values['client-id'],
    authority: values.authority,
    certificate: values.certificate,
  }
  if (values.help || command === undefined || command === 'help')
    return { command: 'help', scope: undefined, url: undefined, ...common }
  if (command === 'token') {
    const scope = rest[0] ?? values.scope
    if (scope === undefined)
      throw new UsageError('apptoken token needs a scope, e.g. https://graph.microsoft.com/.default')
    if (rest.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(rest[1])}`)
    if (values.url !== undefined) throw new UsageError('--url is an option of apptoken doctor')
    return { command, scope, url: undefined, ...common }
  }
  if (command === 'doctor') {
    if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`)
    return { command, scope: values.scope, url: values.url, ...common }
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}: use token or doctor`)
}
