#!/usr/bin/env bash
# Debian packages the full test suite uses: Tesseract OCR (Korean and English data) for scanned
# PDF pages. Installs what is missing when it can (root or sudo with apt-get); otherwise says
# what is missing, and the tests that need it skip with that reason.
set -u
packages=(tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: no apt-get here; missing: ${missing[*]} (their tests will skip)" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "install-system-deps: not root; missing: ${missing[*]} (their tests will skip)" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || echo "install-system-deps: could not install ${missing[*]} (their tests will skip)" >&2
exit 0
