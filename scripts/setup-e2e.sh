#!/usr/bin/env bash
# Installs what the end-to-end tests need to run the extension in a real VS Code (code-server served to
# Debian's Chromium). Debian, as root, no internet except the npm registry and Debian's mirrors.
# Recipe: /work/shared/notes/real-vscode.md. Idempotent: every step leaves a marker and is skipped on
# reruns, so a warm run takes seconds.
#
# Usage: bash scripts/setup-e2e.sh  (npm run e2e:setup)
#   E2E_DIR=<dir>   where code-server goes (default: <repo>/.e2e/code-server, gitignored)
#   --force         redo every step
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# Bump when the steps below change so existing installs redo them.
RECIPE=1
APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium git)

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${E2E_DIR:-$repo/.e2e/code-server}
force=0
[[ ${1:-} == --force ]] && force=1

t0=$SECONDS
log() { printf '[e2e:setup %3ds] %s\n' $((SECONDS - t0)) "$*"; }
die() { printf '[e2e:setup] error: %s\n' "$*" >&2; exit 1; }

marker_dir=$dir/.setup
mkdir -p "$marker_dir"
stamp="code-server@$CODE_SERVER_VERSION recipe $RECIPE node $(node -v)"
done_step() { [[ $force == 0 && -f $marker_dir/$1 && $(cat "$marker_dir/$1") == "$stamp" ]]; }
mark() { echo "$stamp" >"$marker_dir/$1"; }

# node-gyp as shipped with npm; the headers come from Debian's nodejs (/usr/include/node), which is what
# ~/.npmrc's nodedir=/usr says for npm-driven builds. Pass it explicitly for direct calls.
npm_root=$(dirname "$(readlink -f "$(command -v npm)")")/..
node_gyp=$npm_root/node_modules/node-gyp/bin/node-gyp.js
[[ -f $node_gyp ]] || die "node-gyp not found next to npm ($node_gyp)"
nodedir=${npm_config_nodedir:-}
if [[ -z $nodedir && -f /usr/include/node/node.h ]]; then nodedir=/usr; fi
gyp_args=()
[[ -n $nodedir ]] && gyp_args+=("--nodedir=$nodedir")

# 1. Debian packages.
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || die "need root to apt-get install: ${missing[*]}"
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi
[[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium missing after apt-get"
[[ -x /usr/bin/rg ]] || die "/usr/bin/rg missing after apt-get"

# 2. code-server into a folder of its own, without its postinstall (it refuses root and downloads ripgrep).
cs=$dir/node_modules/code-server
vs=$cs/lib/vscode
if done_step code-server; then
  log "code-server@$CODE_SERVER_VERSION present"
else
  log "npm install --ignore-scripts code-server@$CODE_SERVER_VERSION into $dir"
  [[ -f $dir/package.json ]] || echo '{ "name": "e2e-code-server", "private": true }' >"$dir/package.json"
  (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
  mark code-server
fi

# 3. VS Code's own dependencies, their native modules, ripgrep and the postinstall's links.
if done_step vscode-deps; then
  log "lib/vscode dependencies present"
else
  log "npm install --omit=dev in lib/vscode"
  (cd "$vs" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
  mark vscode-deps
fi

if done_step native; then
  log "native modules built"
else
  while IFS= read -r gyp; do
    mod=$(dirname "$gyp")
    log "node-gyp rebuild ${mod#"$vs"/node_modules/}"
    (cd "$mod" && node "$node_gyp" rebuild --jobs=max "${gyp_args[@]}" --loglevel=error >"$marker_dir/gyp-$(basename "$mod").log" 2>&1) \
      || { tail -30 "$marker_dir/gyp-$(basename "$mod").log" >&2; die "node-gyp rebuild failed in $mod"; }
  done < <(cd "$vs" && find "$PWD/node_modules" -name binding.gyp -not -path "$PWD/node_modules/*/node_modules/*" -not -path '*/test/*' | sort)
  mark native
fi

mkdir -p "$vs/node_modules/@vscode/ripgrep/bin"
cp -f /usr/bin/rg "$vs/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$vs/node_modules.asar"
ln -sfn code-linux.sh "$vs/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$vs/bin/helpers/browser.sh"

if done_step builtin-extensions; then
  log "built-in extensions' dependencies present"
else
  log "npm install --omit=dev in lib/vscode/extensions"
  (cd "$vs/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
  mark builtin-extensions
fi

# 4. argon2 (code-server's password hashing) for this Node.
if done_step argon2; then
  log "argon2 built"
else
  log "npm rebuild argon2 --build-from-source"
  (cd "$dir" && npm rebuild argon2 --build-from-source --loglevel=error ${nodedir:+--nodedir="$nodedir"})
  mark argon2
fi

# Smoke check: the server starts far enough to print its version.
# Isolated config dirs: otherwise code-server writes ~/.config/code-server/config.yaml.
smoke=$(mktemp -d)
ver=$(XDG_CONFIG_HOME=$smoke XDG_DATA_HOME=$smoke node "$cs/out/node/entry.js" --version 2>/dev/null | grep -Eo '^[0-9]+\.[0-9]+\.[0-9]+' | head -1 || true)
chromium_version=$(XDG_CONFIG_HOME=$smoke XDG_CACHE_HOME=$smoke /usr/bin/chromium --version 2>/dev/null | awk '{print $2}')
rm -rf "$smoke"
[[ $ver == "$CODE_SERVER_VERSION"* ]] || die "code-server --version printed '$ver', expected $CODE_SERVER_VERSION"
log "ready: code-server $ver, chromium $chromium_version in $((SECONDS - t0))s"
