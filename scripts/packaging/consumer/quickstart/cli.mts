// @apptoken/cli README quick start: the installed `apptoken` bin (token as a curl-style header,
// doctor as JSON) and runCli from a script, against the stand-ins.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { runCli, type DoctorReport } from '@apptoken/cli'
import { scopes, startStandIns } from '../support.mjs'

const { authority, api, close } = await startStandIns()
const env = {
  ...process.env,
  AZURE_AUTHORITY_HOST: authority.authorityHost,
  AZURE_TENANT_ID: authority.tenantId,
  AZURE_CLIENT_ID: authority.clientId,
  AZURE_CLIENT_SECRET: authority.clientSecret,
}
try {
  const bin = join(
    dirname(createRequire(import.meta.url).resolve('@apptoken/cli/package.json')),
    'dist/cli.js',
  )
  const { stdout: token } = await promisify(execFile)(process.execPath, [bin, 'token', scopes], { env })
  const res = await fetch(`${api.url}/api/todolist`, { headers: { authorization: `Bearer ${token.trim()}` } })
  assert.equal(res.status, 200)

  const out: string[] = []
  const io = { stdout: (s: string) => void out.push(s), stderr: () => {}, env }
  const code = await runCli(['doctor', '--scope', scopes, '--url', `${api.url}/api/todolist`, '--json'], io)
  const report = JSON.parse(out.join('')) as DoctorReport
  assert.equal(code, 0, out.join(''))
  assert.ok(report.ok)
} finally {
  await close()
}
