#!/usr/bin/env bash
# Install a CJK font (Noto Sans CJK) when none is installed, so that charts with
# Chinese labels render real glyphs. Debian/Ubuntu; idempotent.
set -euo pipefail
if fc-list :lang=zh 2>/dev/null | grep -q .; then
  exit 0
fi
echo "[fonts] installing fonts-noto-cjk" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >&2
