// The rehearsal's console output: PASS/FAIL lines in the packaging check's style, failures kept
// for the closing summary.
import { indent, seconds } from '../packaging/lib.mjs'

const color = process.stdout.isTTY && !process.env.NO_COLOR
export const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text)

/** The names of the failed steps, in order. */
export const failures = []

export function heading(title) {
  console.log(`\n${paint(1, title)}`)
}

/** Prints one result (and its detail when it failed); returns whether it passed. */
export function report(name, ok, ms = 0, detail = '') {
  const time = ms > 0 ? paint(90, ` (${seconds(ms)})`) : ''
  console.log(`  ${ok ? paint(32, 'PASS') : paint(31, 'FAIL')} ${name}${time}`)
  if (!ok) {
    failures.push(name)
    const text = detail.length > 6000 ? `${detail.slice(0, 6000)}\n[...]` : detail
    if (text.trim() !== '') console.log(indent(text, '       '))
  }
  return ok
}

/** Check messages as a list under a failed step. */
export function problemList(problems) {
  return problems.map((p) => `- ${p}`).join('\n')
}
