/** Where the progress goes: a terminal gets a redrawn bar, anything else plain lines. */
export interface ProgressStream {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}

/** Progress of a paged listing. */
export interface Progress {
  /** After each page: items so far, the total when the server says it, and the page's number and size. */
  update(done: number, total: number | undefined, page: number, pageItems: number): void
  /** Replaces the bar with a final line. */
  finish(line: string): void
}

const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'

/**
 * A progress bar on a terminal (`▕██████░░░░▏ 200/420`, or a spinner and a count when the total
 * is unknown), and one plain line per update elsewhere (pipes, CI logs, `--json`).
 *
 * @example
 * ```ts
 * const progress = createProgress(process.stdout, 'users')
 * progress.update(100, 420, 1, 100)
 * progress.finish('420 users in 5 pages')
 * ```
 */
export function createProgress(stream: ProgressStream, label: string): Progress {
  const tty = stream.isTTY === true
  let ticks = 0
  let drawn = false
  return {
    update(done, total, page, pageItems) {
      if (!tty) {
        stream.write(
          `  page ${page}: ${pageItems} ${label} (${done}${total === undefined ? '' : ` of ${total}`} so far)\n`,
        )
        return
      }
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 50))
      let bar: string
      if (total !== undefined && total > 0) {
        const filled = Math.round((Math.min(done, total) / total) * width)
        bar = `▕${'█'.repeat(filled)}${'░'.repeat(width - filled)}▏ ${done}/${total}`
      } else {
        bar = `${SPINNER[ticks++ % SPINNER.length]} ${done} so far`
      }
      stream.write(`\r\x1b[K  ${label} ${bar} · page ${page}`)
      drawn = true
    },
    finish(line) {
      stream.write(`${tty && drawn ? '\r\x1b[K' : ''}  ${line}\n`)
    },
  }
}
