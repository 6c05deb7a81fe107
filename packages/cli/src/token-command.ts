import { createTokenProvider, isConfigurationError, type TokenProvider } from '@apptoken/core'
import type { CliArgs } from './args.js'
import { decodeClaims } from './claims.js'
import { cliConfig } from './config.js'
import { EXIT, type CliIo } from './io.js'

/**
 * `apptoken token <scope>`: the access token on stdout (for `curl -H "Authorization: Bearer $(apptoken token ...)"`),
 * or with `--json` the token response and its decoded claims. Errors go to stderr.
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: (s) => void process.stdout.write(s), stderr: (s) => void process.stderr.write(s), env: process.env }
 * const code = await runToken(parseCliArgs(['token', 'https://graph.microsoft.com/.default']), io)
 * ```
 */
export async function runToken(args: CliArgs, io: CliIo): Promise<number> {
  const scope = args.scope!
  let provider: TokenProvider
  try {
    provider = createTokenProvider(cliConfig(args, io).options)
  } catch (error) {
    io.stderr(`apptoken: ${(error as Error).message}\n`)
    return EXIT.usage
  }
  try {
    io.stderr(`requesting a token for ${scope}...\n`)
    const token = await provider.getToken(scope)
    if (!args.json) {
      io.stdout(`${token.accessToken}\n`)
      return EXIT.ok
    }
    const response = {
      token_type: token.tokenType,
      access_token: token.accessToken,
      expires_in: Math.max(0, Math.round((token.expiresAt - Date.now()) / 1000)),
      expires_at: new Date(token.expiresAt).toISOString(),
      scope: token.scopes.join(' '),
      tenant_id: token.tenantId,
      claims: decodeClaims(token.accessToken) ?? null,
    }
    io.stdout(`${JSON.stringify(response, null, 2)}\n`)
    return EXIT.ok
  } catch (error) {
    io.stderr(`apptoken: ${(error as Error).message}\n`)
    return isConfigurationError(error) ? EXIT.usage : EXIT.failed
  } finally {
    await provider.close()
  }
}
