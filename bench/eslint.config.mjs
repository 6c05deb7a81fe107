// The bench is plain ESM JavaScript: the root config ignores it (its rules are type-aware), so it
// gets the recommended JavaScript rules here, with Node's globals.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'

const node = Object.fromEntries(
  [
    'process',
    'Buffer',
    'console',
    'fetch',
    'URL',
    'AbortSignal',
    'AbortController',
    'setTimeout',
    'clearTimeout',
    'globalThis',
  ].map((name) => [name, 'readonly']),
)

export default [
  { ignores: ['results/**'] },
  js.configs.recommended,
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: node },
  },
  prettier,
]
