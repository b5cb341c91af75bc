#!/usr/bin/env bash
# Screenshot of an Export-AuditReport page with Debian's headless Chromium (apt-get install chromium).
#   tools/screenshot-report.sh report.html [out.png] [width,height]
# Default: out.png beside the page, 1280x2000. No network: the page is self-contained.
set -euo pipefail
page="${1:?usage: tools/screenshot-report.sh report.html [out.png] [width,height]}"
out="${2:-${page%.*}.png}"
size="${3:-1280,2000}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -f "$page" ] || { echo "no such file: $page" >&2; exit 1; }
[ -x "$chromium" ] || { echo "chromium not found at $chromium (apt-get install chromium, or set CHROMIUM)" >&2; exit 1; }
page="$(cd "$(dirname "$page")" && pwd)/$(basename "$page")"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
"$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --window-size="$size" --screenshot="$out" "file://$page" 2>/dev/null
[ -s "$out" ] || { echo "no screenshot written" >&2; exit 1; }
echo "$out"
