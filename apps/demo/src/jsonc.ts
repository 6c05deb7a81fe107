/**
 * Parses JSON that may hold `//` and `/* *\/` comments and trailing commas, as .NET's
 * appsettings.json allows.
 *
 * @example
 * ```ts
 * parseJsonWithComments('{ "a": 1, // one\n }') // { a: 1 }
 * ```
 */
export function parseJsonWithComments(text: string): unknown {
  return JSON.parse(outsideStrings(outsideStrings(text, stripComment), stripTrailingComma))
}

type Rewrite = (text: string, i: number) => { skip: number; insert: string } | undefined

const stripComment: Rewrite = (text, i) => {
  if (text[i] !== '/') return undefined
  if (text[i + 1] === '/') {
    const end = text.indexOf('\n', i)
    return { skip: (end === -1 ? text.length : end) - i, insert: '' }
  }
  if (text[i + 1] === '*') {
    const end = text.indexOf('*/', i + 2)
    return { skip: (end === -1 ? text.length : end + 2) - i, insert: ' ' }
  }
  return undefined
}

const stripTrailingComma: Rewrite = (text, i) =>
  text[i] === ',' && /^\s*[}\]]/.test(text.slice(i + 1, i + 200)) ? { skip: 1, insert: '' } : undefined

/** Applies `rewrite` to the text outside JSON string literals. */
function outsideStrings(text: string, rewrite: Rewrite): string {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (inString) {
      if (c === '\\') {
        out += c + (text[i + 1] ?? '')
        i++
        continue
      }
      if (c === '"') inString = false
      out += c
      continue
    }
    const change = rewrite(text, i)
    if (change) {
      out += change.insert
      i += change.skip - 1
      continue
    }
    if (c === '"') inString = true
    out += c
  }
  return out
}
