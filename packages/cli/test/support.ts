import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestAuthority } from '@apptoken/testing'
import type { DoctorReport } from '../src/index.js'

/** The built bin: the tests run exactly what `npx @apptoken/cli` runs. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** The AZURE_* variables that point the CLI at the test authority, with its default app's secret. */
export function azureEnv(authority: TestAuthority): Record<string, string> {
  return {
    AZURE_AUTHORITY_HOST: authority.authorityHost,
    AZURE_TENANT_ID: authority.tenantId,
    AZURE_CLIENT_ID: authority.clientId,
    AZURE_CLIENT_SECRET: authority.clientSecret,
  }
}

/** Runs `apptoken ...` with the machine's AZURE_* variables removed and `env` added. */
export function apptoken(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^AZURE_/i.test(name)))
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd !== undefined && { cwd }),
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** `apptoken doctor --json ...`: the exit code and the statuses by check id. */
export async function doctor(args: string[], env: Record<string, string>) {
  const run = await apptoken(['doctor', '--json', ...args], env)
  const report = JSON.parse(run.stdout) as DoctorReport
  const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]))
  const byId = (id: string) => report.checks.find((c) => c.id === id)!
  return { ...run, report, status, byId }
}

/** A scratch directory, removed by the returned function. */
export function scratch(): { dir: string; write(name: string, text: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'apptoken-cli-'))
  return {
    dir,
    write(name, text) {
      const path = join(dir, name)
      writeFileSync(path, text)
      return path
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
