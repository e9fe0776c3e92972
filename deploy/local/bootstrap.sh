#!/usr/bin/env bash
# Makes a fresh clone runnable, and does nothing when it already is:
# checks Node.js, installs the system packages the local stack needs (when root; else
# says which apt-get line to run), installs npm dependencies, builds, and fetches the
# local Apache Kafka broker and Apicurio Registry from Maven Central into
# ~/.cache/wfm-stream (once; WFM_STREAM_CACHE_DIR moves it), and promtool from Debian's
# `prometheus` package into the same cache.
set -euo pipefail
cd "$(dirname "$0")/../.."

node -e '
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`wfm-stream needs Node.js 20.19 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}'

java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -1 |
    awk '{ print ($1 == 1 ? $2 : $1) }'
}
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
  missing+=(openjdk-17-jre-headless)
fi
command -v mvn >/dev/null 2>&1 || missing+=(maven)
# the dashboard's browser tests drive Debian's Chromium (docs/dashboard.md)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# promtool (checks and unit-tests deploy/prometheus in the tests) from Debian's
# `prometheus` package: only that binary, unpacked into the cache with `apt-get download`
# and `dpkg-deb`. The package is never installed: its postinst would enable and start a
# Prometheus server (systemd unit, /etc/init.d/prometheus), which nothing here needs.
cache_dir="${WFM_STREAM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wfm-stream}"
if ! command -v promtool >/dev/null 2>&1 && [ ! -x "$cache_dir/bin/promtool" ]; then
  if command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
    echo "fetching promtool (Debian package prometheus, the binary only) into $cache_dir/bin"
    sandbox=()
    if [ "$(id -u)" = 0 ]; then
      # apt-get download needs the package lists; as root it may refresh them
      apt-cache show prometheus >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get update -qq
      sandbox=(-o APT::Sandbox::User=root)
    fi
    work=$(mktemp -d)
    if (cd "$work" && apt-get download -qq "${sandbox[@]}" prometheus >/dev/null); then
      mkdir -p "$cache_dir/bin"
      dpkg-deb --fsys-tarfile "$work"/prometheus_*.deb | tar -xO ./usr/bin/promtool >"$work/promtool"
      chmod 0755 "$work/promtool"
      mv "$work/promtool" "$cache_dir/bin/promtool"
    fi
    rm -rf "$work"
  fi
  if [ ! -x "$cache_dir/bin/promtool" ]; then
    echo "promtool is missing: the tests of deploy/prometheus need it. Install it with:" >&2
    echo "  sudo apt-get install -y prometheus   (then stop and disable the server it starts)" >&2
    echo "or put a promtool on PATH, or set PROMTOOL to one." >&2
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

node node_modules/typescript/bin/tsc -b tsconfig.json
# the dashboard's page (skipped when it is newer than its sources)
node libs/dashboard-ui/build.mjs
node libs/local-stack/dist/fetch-runtimes.js
