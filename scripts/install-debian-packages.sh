#!/usr/bin/env bash
# Installs the Debian packages some tests use, when it can (root, or passwordless sudo, with
# apt-get); otherwise it says what is missing and exits 0, and those tests skip with that reason.
# Idempotent: only missing packages are installed.
#   scripts/install-debian-packages.sh PURPOSE PACKAGE...
# The Makefile's `system-deps` target lists what the suite uses: Tesseract OCR with Korean and
# English data (scanned PDF pages); Debian's Chromium and a Korean font (browser tests;
# Playwright's own browser download is not used); nginx (the reverse proxy of deploy/).
set -u
purpose=$1; shift
missing=()
for p in "$@"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-debian-packages: no apt-get here; missing: ${missing[*]} ($purpose will skip)" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "install-debian-packages: not root and no passwordless sudo; missing: ${missing[*]} ($purpose will skip)" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "install-debian-packages: installed ${missing[*]}"
else
  echo "install-debian-packages: could not install ${missing[*]} ($purpose will skip)" >&2
fi
exit 0
