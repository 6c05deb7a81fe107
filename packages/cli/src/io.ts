/**
 * Where the CLI writes and what it reads: the process's streams and environment, or a test's.
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), env: process.env }
 * ```
 */
export interface CliIo {
  /** Results (the token, the checklist). */
  stdout(text: string): void
  /** Progress and errors. */
  stderr(text: string): void
  env: Record<string, string | undefined>
  /** Working directory for relative paths; default `process.cwd()`. */
  cwd?: string
}

/**
 * Exit codes: 0 all passed, 1 a check or the token request failed, 2 usage or configuration error.
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: () => {}, stderr: () => {}, env: process.env }
 * if ((await runCli(['doctor'], io)) === EXIT.usage) console.error('fix the configuration first')
 * ```
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const
