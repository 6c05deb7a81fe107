import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import {
  ApptokenChannels,
  createTokenProvider,
  type CredentialValidityEvent,
  type TokenProvider,
} from '@apptoken/core'
import { apiCheck } from './api-check.js'
import type { CliArgs } from './args.js'
import { clockCheck, probeAuthority } from './authority-check.js'
import { audOf, decodeClaims } from './claims.js'
import { cliConfig, type CliConfig } from './config.js'
import { EXIT, type CliIo } from './io.js'
import { formatReport, type CheckResult, type DoctorReport } from './report.js'
import { certificateCheck, requestFailure, rolesCheck, scopeCheck } from './token-checks.js'

const DEFAULT_SCOPE = 'https://graph.microsoft.com/.default'

const skip = (id: CheckResult['id'], title: string, why: string): CheckResult => ({
  id,
  title,
  status: 'skip',
  detail: `not checked: ${why}`,
})

/**
 * `apptoken doctor`: the troubleshooting checklist, in order; a failed step skips what depends on
 * it. Returns the exit code: 0 all passed (warnings allowed), 1 a check failed, 2 configuration.
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: (s) => void process.stdout.write(s), stderr: (s) => void process.stderr.write(s), env: process.env }
 * const code = await runDoctor(parseCliArgs(['doctor', '--url', 'https://api.contoso.com/health']), io)
 * ```
 */
export async function runDoctor(args: CliArgs, io: CliIo): Promise<number> {
  const checks: CheckResult[] = []
  const progress = (text: string) => io.stderr(`${text}\n`)
  const scope = args.scope ?? DEFAULT_SCOPE
  const finish = (code: number): number => {
    const report: DoctorReport = { ok: checks.every((c) => c.status !== 'fail'), checks }
    io.stdout(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
    return code
  }

  progress('checking the configuration...')
  let config: CliConfig
  let provider: TokenProvider
  try {
    config = cliConfig(args, io)
    provider = createTokenProvider(config.options)
  } catch (error) {
    checks.push({
      id: 'configuration',
      title: 'configuration',
      status: 'fail',
      detail: ((error as Error).message.split('\n')[0] ?? String(error)).replace(/\. Fix: .*$/, ''),
      fix: (error as { fix?: string }).fix ?? 'see apptoken --help for the variables and flags',
    })
    return finish(EXIT.usage)
  }
  checks.push({
    id: 'configuration',
    title: 'configuration',
    status: 'pass',
    detail: `${config.credentialKind} for app ${provider.clientId} in tenant ${provider.tenantId} (from ${config.source})`,
  })
  const seen: CredentialValidityEvent[] = []
  const onValidity = (m: unknown) => void seen.push(m as CredentialValidityEvent)
  subscribe(ApptokenChannels.credentialValidity, onValidity)
  try {
    const scoped = scopeCheck(scope)
    checks.push(scoped)

    progress(`checking the authority ${config.authorityHost}...`)
    const probe = await probeAuthority(config.authorityHost, provider.tenantId)
    checks.push(probe.check, clockCheck(probe.date))
    if (probe.check.status === 'fail' || scoped.status === 'fail') {
      const why = scoped.status === 'fail' ? 'the scope is wrong' : 'the authority or tenant failed'
      checks.push(
        skip('credential', 'credential', why),
        skip('roles', 'application permissions', why),
        skip('certificate', 'certificate', why),
        ...(args.url === undefined ? [] : [skip('api', 'API call', why)]),
      )
      return finish(EXIT.failed)
    }

    progress(`requesting a token for ${scope}...`)
    let token: string
    try {
      token = (await provider.getToken(scope)).accessToken
    } catch (error) {
      const failure = requestFailure(error, scope)
      if (failure.id === 'scope') checks.splice(checks.indexOf(scoped), 1, failure)
      else checks.push(failure)
      checks.push(
        ...(failure.id === 'scope' ? [skip('credential', 'credential', 'the scope was refused')] : []),
        skip('roles', 'application permissions', 'no token'),
        certificateCheck(config.credentialKind, seen.at(-1), Date.now()),
        ...(args.url === undefined ? [] : [skip('api', 'API call', 'no token')]),
      )
      return finish(EXIT.failed)
    }
    const claims = decodeClaims(token)
    checks.push(
      {
        id: 'credential',
        title: 'credential',
        status: 'pass',
        detail: `accepted; token for ${claims === undefined ? scope : audOf(claims)}`,
      },
      rolesCheck(claims),
      certificateCheck(config.credentialKind, seen.at(-1), Date.now()),
    )
    if (args.url !== undefined) {
      progress(`calling ${args.url}...`)
      checks.push(await apiCheck(args.url, token, claims))
    }
    return finish(checks.some((c) => c.status === 'fail') ? EXIT.failed : EXIT.ok)
  } finally {
    unsubscribe(ApptokenChannels.credentialValidity, onValidity)
    await provider.close()
  }
}
