#!/usr/bin/env bash
# Refreshes the web assets Sahulat serves itself (no CDN): Leaflet from the npm registry into
# api/static/vendor/leaflet/. The files are committed so that `cargo build` needs no network;
# run this only to move to another Leaflet version (then rebuild: they are compiled in).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${LEAFLET_VERSION:-1.9.4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund "leaflet@$VERSION" >/dev/null)
dest=api/static/vendor/leaflet
rm -rf "$dest" && mkdir -p "$dest/images"
cp "$work/node_modules/leaflet/dist/leaflet.js" "$work/node_modules/leaflet/dist/leaflet.css" "$dest/"
cp "$work/node_modules/leaflet/dist/images/"* "$dest/images/"
cp "$work/node_modules/leaflet/LICENSE" "$dest/LICENSE"
echo "leaflet $VERSION copied to $dest" >&2
