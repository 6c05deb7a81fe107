#!/usr/bin/env bash
# Source this: puts a Node >= 22.12 first on PATH, installing Node 24 from the npm
# registry into .tools/ when the machine's Node is older (vitest, tsdown, ky 2, got 15+
# and undici 8 need it).
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}
if [ -x "$_root/.tools/node_modules/.bin/node" ]; then
  export PATH="$_root/.tools/node_modules/.bin:$PATH"
fi
if ! _node_ok; then
  echo "apptoken: Node $(node --version 2>/dev/null || echo none) is older than 22.12; installing Node 24 into .tools/ from the npm registry" >&2
  npm install --prefix "$_root/.tools" --no-audit --no-fund --loglevel=error node@24 >&2 || { echo "apptoken: could not install Node 24" >&2; return 1 2>/dev/null || exit 1; }
  export PATH="$_root/.tools/node_modules/.bin:$PATH"
  _node_ok || { echo "apptoken: Node 24 install did not give a usable node" >&2; return 1 2>/dev/null || exit 1; }
fi
unset -f _node_ok
