#!/bin/sh
# Copy jsQR from npm (tests/e2e/node_modules, installed by `npm ci` there) into this folder,
# so the verify page serves it itself: no CDN.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../../../tests/e2e/node_modules/jsqr/dist/jsQR.js"
ver="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$here/../../../tests/e2e/node_modules/jsqr/package.json")"
{ echo "/* jsQR $ver (Apache-2.0, https://github.com/cozmo/jsQR), vendored from npm by web/static/verify/vendor.sh: no CDN. */"; cat "$src"; } > "$here/jsQR.js"
