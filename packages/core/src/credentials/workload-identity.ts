import type {
  ClientAuthentication,
  ClientCredential,
  CredentialContext,
  CredentialDefaults,
} from '../credential.js'
import { ConfigurationError } from '../errors.js'
import { assertionForm } from './assertion.js'
import { defined, envValue, type Environment } from './environment.js'
import { WatchedFile } from './watched-file.js'

/**
 * Options of {@link workloadIdentity}; each defaults to its `AZURE_*` variable.
 *
 * @example
 * ```ts
 * workloadIdentity({ tokenFilePath: '/var/run/secrets/azure/tokens/azure-identity-token' })
 * ```
 */
export interface WorkloadIdentityOptions {
  /** The projected service account token. Default `AZURE_FEDERATED_TOKEN_FILE`. */
  tokenFilePath?: string
  /** Default `AZURE_CLIENT_ID`. */
  clientId?: string
  /** Default `AZURE_TENANT_ID`. */
  tenantId?: string
  /** Default `AZURE_AUTHORITY_HOST`. */
  authorityHost?: string
  /** Where the `AZURE_*` variables are read. Default `process.env`. */
  env?: Environment
}

/** How errors name the file setting (an option, an environment variable, an appsettings key). */
export interface TokenFileNames {
  option: string
  /** e.g. `(from AZURE_FEDERATED_TOKEN_FILE)`, appended to the path in messages. */
  origin: string
  fix: string
}

const WEBHOOK_FIX =
  'run the pod with the label azure.workload.identity/use: "true" and a service account annotated with azure.workload.identity/client-id (the webhook mounts the token and sets AZURE_FEDERATED_TOKEN_FILE), or pass tokenFilePath'

class TokenFileCredential implements ClientCredential {
  readonly kind: string
  readonly defaults: CredentialDefaults
  readonly #file: WatchedFile<string>
  #used: string | undefined

  constructor(kind: string, file: WatchedFile<string>, defaults: CredentialDefaults) {
    this.kind = kind
    this.#file = file
    this.defaults = defaults
  }

  async authenticate(ctx: CredentialContext): Promise<ClientAuthentication> {
    // The kubelet rewrites the token about hourly; a stat per token request notices it.
    await this.#file.refresh(ctx.logger)
    this.#used = this.#file.value
    return { form: assertionForm(this.#used) }
  }

  async onRejected(): Promise<boolean> {
    await this.#file.refresh(undefined, true)
    return this.#file.value !== this.#used
  }
}

/** A credential that sends the contents of a file as its client assertion. */
export function tokenFileCredential(
  kind: string,
  path: string,
  names: TokenFileNames,
  defaults: CredentialDefaults = {},
): ClientCredential {
  const where = `the federated token file ${path}${names.origin ? ` ${names.origin}` : ''}`
  const parse = (content: Buffer): string => {
    const token = content.toString('utf8').trim()
    if (token === '') throw new ConfigurationError(names.option, `${where} is empty`, names.fix)
    return token
  }
  const readError = (error: unknown): Error => {
    const code = (error as { code?: string }).code
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'is not readable by this process'
          : `cannot be read${code ? ` (${code})` : ''}`
    return new ConfigurationError(names.option, `${where} ${why}`, names.fix)
  }
  return new TokenFileCredential(kind, new WatchedFile(path, parse, readError), defaults)
}

/**
 * Kubernetes workload identity (AKS and others): sends the projected service account token as a
 * federated client assertion. Reads `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`,
 * `AZURE_TENANT_ID` and `AZURE_AUTHORITY_HOST`, so the provider needs no other options; the token
 * file is re-read whenever the kubelet rotates it.
 *
 * @example
 * ```ts
 * const provider = createTokenProvider({ credential: workloadIdentity() })
 * await provider.getToken('https://graph.microsoft.com/.default')
 * ```
 */
export function workloadIdentity(options: WorkloadIdentityOptions = {}): ClientCredential {
  const env = options.env ?? process.env
  const path = options.tokenFilePath ?? envValue(env, 'AZURE_FEDERATED_TOKEN_FILE')
  if (path === undefined || path.trim() === '') {
    throw new ConfigurationError(
      'tokenFilePath',
      'it was not given and AZURE_FEDERATED_TOKEN_FILE is not set',
      WEBHOOK_FIX,
    )
  }
  const names: TokenFileNames =
    options.tokenFilePath === undefined
      ? {
          option: 'AZURE_FEDERATED_TOKEN_FILE',
          origin: '(from AZURE_FEDERATED_TOKEN_FILE)',
          fix: WEBHOOK_FIX,
        }
      : {
          option: 'tokenFilePath',
          origin: '',
          fix: 'pass the path of the projected service account token (the file AZURE_FEDERATED_TOKEN_FILE names)',
        }
  const defaults = defined<CredentialDefaults>({
    clientId: options.clientId ?? envValue(env, 'AZURE_CLIENT_ID'),
    tenantId: options.tenantId ?? envValue(env, 'AZURE_TENANT_ID'),
    authorityHost: options.authorityHost ?? envValue(env, 'AZURE_AUTHORITY_HOST'),
  })
  return tokenFileCredential('workload_identity', path, names, defaults)
}
