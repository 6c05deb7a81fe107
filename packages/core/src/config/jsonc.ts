/**
 * Parses JSON as .NET configuration reads it (appsettings.json): `//` and `/* *\/` comments and
 * trailing commas are allowed. Throws the `JSON.parse` SyntaxError otherwise.
 *
 * @example
 * ```ts
 * parseJsonWithComments('{ "AzureAd": { "TenantId": "contoso.onmicrosoft.com", }, // trailing comma\n }')
 * // { AzureAd: { TenantId: 'contoso.onmicrosoft.com' } }
 * ```
 */
export function parseJsonWithComments(text: string): unknown {
  let out = ''
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text[i]!
    if (c === '"') {
      // Copy the string literal verbatim, escapes included.
      let j = i + 1
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      out += text.slice(i, j + 1)
      i = j + 1
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
    } else {
      // A comma right before a closing bracket is a trailing comma (strings end with a quote).
      if (c === '}' || c === ']') {
        let k = out.length - 1
        while (k >= 0 && /\s/.test(out[k]!)) k--
        if (out[k] === ',') out = out.slice(0, k) + out.slice(k + 1)
      }
      out += c
      i++
    }
  }
  return JSON.parse(out)
}
