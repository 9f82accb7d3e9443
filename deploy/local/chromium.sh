#!/usr/bin/env bash
# Chromium for the operator console's browser tests (e2e/console.int-spec.ts): Debian's chromium
# package, driven by Playwright (playwright-core, which downloads no browser). Not a server: only
# installed. EMPORIA_CHROMIUM (default /usr/bin/chromium) names another build to use.
#
# usage: deploy/local/chromium.sh install|path
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EMPORIA_LOG_TAG=chromium

CHROMIUM="${EMPORIA_CHROMIUM:-/usr/bin/chromium}"

case "${1:-install}" in
  install)
    if [[ ! -x "$CHROMIUM" ]]; then
      [[ -z "${EMPORIA_CHROMIUM:-}" ]] || die "EMPORIA_CHROMIUM=$CHROMIUM is not an executable"
      apt_install chromium fonts-noto-cjk
      [[ -x "$CHROMIUM" ]] || die "chromium installed but $CHROMIUM is missing"
    fi
    log "$("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    ;;
  path) echo "$CHROMIUM" ;;
  *) die "usage: $0 install|path" ;;
esac
