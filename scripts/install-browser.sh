#!/usr/bin/env bash
# Debian's Chromium (and a Korean font) for the browser tests in tests/search_api/browser.
# Playwright's own browser download is not used: the tests drive /usr/bin/chromium.
# Idempotent: installs only what is missing, as root or with passwordless sudo; otherwise it
# says what is missing and exits 0, and the browser tests skip with that reason.
set -u
packages=(chromium fonts-nanum)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ -x /usr/bin/chromium ]; then
  echo "install-browser: chromium already installed ($(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium))"
  exit 0
fi
[ ${#missing[@]} -eq 0 ] && missing=(chromium)
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get here; missing: ${missing[*]} (browser tests will skip)" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "install-browser: not root and no passwordless sudo; missing: ${missing[*]} (browser tests will skip)" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "install-browser: installed ${missing[*]}"
else
  echo "install-browser: could not install ${missing[*]} (browser tests will skip)" >&2
fi
exit 0
