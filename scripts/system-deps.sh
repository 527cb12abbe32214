#!/usr/bin/env bash
# Debian packages the tests and the briefing need: Chromium for the browser tests, poppler for
# rendering PDF pages, Pango for WeasyPrint's PDF, and Liberation Serif (metric-compatible with
# Times New Roman, with Vietnamese glyphs) for reports and charts. Installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
[[ -e /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ]] || need+=(fonts-liberation2)
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[[ ${#need[@]} -eq 0 ]] && exit 0
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "installing Debian packages: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
