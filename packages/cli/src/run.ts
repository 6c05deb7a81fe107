import { parseCliArgs, USAGE, UsageError } from './args.js'
import { runDoctor } from './doctor.js'
import { EXIT, type CliIo } from './io.js'
import { runToken } from './token-command.js'

/**
 * Runs the `apptoken` command line with `argv` (without node and the script); resolves to the
 * exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), {
 *   stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), env: process.env,
 * })
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args
  try {
    args = parseCliArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr(`apptoken: ${error.message}\n\n${USAGE}`)
    return EXIT.usage
  }
  if (args.command === 'help') {
    io.stdout(USAGE)
    return EXIT.ok
  }
  return args.command === 'token' ? runToken(args, io) : runDoctor(args, io)
}
