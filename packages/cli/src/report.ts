/**
 * One line of the doctor's checklist.
 *
 * @example
 * ```ts
 * const line: CheckResult = { id: 'roles', title: 'application permissions', status: 'fail', detail: 'the token has no roles', fix: 'grant admin consent' }
 * ```
 */
export interface CheckResult {
  id: 'configuration' | 'scope' | 'authority' | 'clock' | 'credential' | 'roles' | 'certificate' | 'api'
  title: string
  /** `warn` is shown but does not fail the run; `skip` was not checked (an earlier check failed, or it does not apply). */
  status: 'pass' | 'fail' | 'warn' | 'skip'
  detail: string
  fix?: string
}

/**
 * What `apptoken doctor --json` prints.
 *
 * @example
 * ```ts
 * const stdout = '{"ok":true,"checks":[]}' // what `apptoken doctor --json` printed
 * const report = JSON.parse(stdout) as DoctorReport
 * if (!report.ok) console.log(report.checks.filter((c) => c.status === 'fail'))
 * ```
 */
export interface DoctorReport {
  ok: boolean
  checks: CheckResult[]
}

const MARK: Record<CheckResult['status'], string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' }

/** The checklist for people: one line per check, its fix indented below. */
export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.title.length))
  const lines = report.checks.flatMap((c) => [
    `${MARK[c.status]} ${c.title.padEnd(width)}  ${c.detail}`,
    ...(c.fix === undefined ? [] : [`  ${' '.repeat(width)}  fix: ${c.fix}`]),
  ])
  const failed = report.checks.filter((c) => c.status === 'fail').length
  lines.push('', report.ok ? 'All checks passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`)
  return `${lines.join('\n')}\n`
}
