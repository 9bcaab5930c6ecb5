#!/usr/bin/env bash
# Re-vendor the QR decoder served by the app itself (no CDN): barcode-detector (a BarcodeDetector
# for browsers without one) and the zxing-wasm reader it runs. Pinned versions, checked against the
# npm registry's integrity hashes; the files land in static/vendor/ and are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
BARCODE_DETECTOR=3.2.2
ZXING_WASM=3.1.3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "barcode-detector@$BARCODE_DETECTOR" "zxing-wasm@$ZXING_WASM" >/dev/null)
for tarball in "$work"/*.tgz; do
  expected=$(npm view "$(basename "$tarball" .tgz | sed 's/-\([0-9]\)/@\1/')" dist.integrity)
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  [ "$expected" = "$actual" ] || { echo "integrity mismatch for $tarball" >&2; exit 1; }
  mkdir -p "${tarball%.tgz}" && tar xzf "$tarball" -C "${tarball%.tgz}"
done
bd="$work/barcode-detector-$BARCODE_DETECTOR/package"
zx="$work/zxing-wasm-$ZXING_WASM/package"
cp "$bd/dist/es/ponyfill.js" "$bd/dist/es/zxing-exported.js" "$bd/LICENSE" static/vendor/barcode-detector/
cp "$zx/dist/reader/zxing_reader.wasm" "$zx/LICENSE" static/vendor/zxing-wasm/
echo "barcode-detector $BARCODE_DETECTOR, zxing-wasm $ZXING_WASM vendored into static/vendor/"
