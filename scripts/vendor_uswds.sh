#!/usr/bin/env bash
# Refresh the vendored front-end assets under static/vendor/ from the npm registry:
#
#   static/vendor/uswds/    U.S. Web Design System (@uswds/uswds@3)
#   static/vendor/chartjs/  Chart.js (chart.js@4), the UMD build
#   static/vendor/htmx/     htmx (htmx.org@2)
#
# Only what the portal serves is kept: the minified CSS/JS, the woff2 fonts and images
# that uswds.min.css references (same ../img and ../fonts layout as USWDS's dist/), plus
# the top-level USWDS images (sprite.svg, banner flag and icons, favicons). The trailing
# sourceMappingURL comments are removed because the .map files are not vendored (and
# ManifestStaticFilesStorage would fail collectstatic on a missing map).
#
# Usage: scripts/vendor_uswds.sh            (or: make vendor)
# Override the version ranges with USWDS_VERSION, CHARTJS_VERSION, HTMX_VERSION.
set -euo pipefail

USWDS_VERSION="${USWDS_VERSION:-3}"
CHARTJS_VERSION="${CHARTJS_VERSION:-4}"
HTMX_VERSION="${HTMX_VERSION:-2}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/static/vendor"

for tool in npm node tar; do
    command -v "$tool" >/dev/null 2>&1 || { echo "vendor: '$tool' is required" >&2; exit 1; }
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# fetch NAME SPEC: npm pack SPEC into $TMP/NAME and extract it to $TMP/NAME/package.
fetch() {
    local name="$1" spec="$2"
    mkdir -p "$TMP/$name"
    echo "vendor: fetching $spec" >&2
    (cd "$TMP/$name" && npm pack --silent --ignore-scripts "$spec" >/dev/null)
    local tgz
    tgz="$(ls "$TMP/$name"/*.tgz)"
    tar -xzf "$tgz" -C "$TMP/$name"
}

pkg_version() {
    node -p "require(process.argv[1]).version" "$1/package.json"
}

# Drop source-map comments (CSS "/*# sourceMappingURL=... */", JS "//# sourceMappingURL=...").
strip_sourcemap() {
    sed -i -E -e '/^\/\*# sourceMappingURL=.*\*\/[[:space:]]*$/d' \
        -e '/^\/\/# sourceMappingURL=.*$/d' "$1"
}

STAGE="$TMP/stage"
mkdir -p "$STAGE"

# --- USWDS -------------------------------------------------------------------------
fetch uswds "@uswds/uswds@$USWDS_VERSION"
USWDS_PKG="$TMP/uswds/package"
USWDS_DIST="$USWDS_PKG/dist"
USWDS_V="$(pkg_version "$USWDS_PKG")"
OUT="$STAGE/uswds"
mkdir -p "$OUT/css" "$OUT/js" "$OUT/img" "$OUT/fonts"

cp "$USWDS_DIST/css/uswds.min.css" "$OUT/css/"
cp "$USWDS_DIST/js/uswds.min.js" "$USWDS_DIST/js/uswds-init.min.js" "$OUT/js/"
strip_sourcemap "$OUT/css/uswds.min.css"
strip_sourcemap "$OUT/js/uswds.min.js"
strip_sourcemap "$OUT/js/uswds-init.min.js"

# Top-level images (sprite.svg, us_flag_small.png, icon-dot-gov.svg, icon-https.svg, ...)
# and the favicons; the large icon sets are left out (sprite.svg carries every icon).
find "$USWDS_DIST/img" -maxdepth 1 -type f -exec cp {} "$OUT/img/" \;
cp -R "$USWDS_DIST/img/favicons" "$OUT/img/favicons"

# Every ../img and ../fonts file that the CSS references.
missing=0
while IFS= read -r ref; do
    [ -n "$ref" ] || continue
    rel="${ref#../}"
    src="$USWDS_DIST/$rel"
    if [ ! -f "$src" ]; then
        echo "vendor: uswds.min.css references $ref, not found in the package" >&2
        missing=1
        continue
    fi
    mkdir -p "$(dirname "$OUT/$rel")"
    cp "$src" "$OUT/$rel"
done < <(grep -o 'url([^)]*)' "$OUT/css/uswds.min.css" \
    | sed -E -e 's/^url\(//' -e 's/\)$//' -e "s/^[\"']//" -e "s/[\"']\$//" \
             -e 's/[?#].*$//' \
    | grep -E '^\.\./(img|fonts)/' | sort -u)
[ "$missing" -eq 0 ] || exit 1

cp "$USWDS_PKG/LICENSE.md" "$OUT/LICENSE.md"
echo "$USWDS_V" > "$OUT/VERSION"

# --- Chart.js ------------------------------------------------------------------------
fetch chartjs "chart.js@$CHARTJS_VERSION"
CHART_PKG="$TMP/chartjs/package"
CHART_V="$(pkg_version "$CHART_PKG")"
mkdir -p "$STAGE/chartjs"
if [ -f "$CHART_PKG/dist/chart.umd.min.js" ]; then
    cp "$CHART_PKG/dist/chart.umd.min.js" "$STAGE/chartjs/chart.umd.min.js"
else
    cp "$CHART_PKG/dist/chart.umd.js" "$STAGE/chartjs/chart.umd.min.js"
fi
strip_sourcemap "$STAGE/chartjs/chart.umd.min.js"
cp "$CHART_PKG/LICENSE.md" "$STAGE/chartjs/LICENSE.md"
echo "$CHART_V" > "$STAGE/chartjs/VERSION"

# --- htmx ----------------------------------------------------------------------------
fetch htmx "htmx.org@$HTMX_VERSION"
HTMX_PKG="$TMP/htmx/package"
HTMX_V="$(pkg_version "$HTMX_PKG")"
mkdir -p "$STAGE/htmx"
cp "$HTMX_PKG/dist/htmx.min.js" "$STAGE/htmx/htmx.min.js"
strip_sourcemap "$STAGE/htmx/htmx.min.js"
cp "$HTMX_PKG/LICENSE" "$STAGE/htmx/LICENSE"
echo "$HTMX_V" > "$STAGE/htmx/VERSION"

# --- README --------------------------------------------------------------------------
cat > "$STAGE/README.md" <<EOF
# Vendored front-end assets

Third-party assets the portal serves itself (no CDN), fetched from the npm registry by
\`scripts/vendor_uswds.sh\`. Run \`make vendor\` to refresh them; do not edit these
files by hand.

| Directory  | Package                | Version     | License        |
|------------|------------------------|-------------|----------------|
| \`uswds/\`   | \`@uswds/uswds\`         | $USWDS_V | see LICENSE.md |
| \`chartjs/\` | \`chart.js\` (UMD build) | $CHART_V | MIT            |
| \`htmx/\`    | \`htmx.org\`             | $HTMX_V | 0BSD           |

- \`uswds/css/uswds.min.css\`, \`uswds/js/uswds.min.js\`, \`uswds/js/uswds-init.min.js\`
  (load \`uswds-init.min.js\` in \`<head>\`, \`uswds.min.js\` at the end of \`<body>\`).
- \`uswds/fonts/\` holds only the woff2 files \`uswds.min.css\` references (Source Sans
  Pro, Merriweather, Roboto Mono); \`uswds/img/\` holds the top-level USWDS images
  (\`sprite.svg\`, \`us_flag_small.png\`, \`icon-dot-gov.svg\`, \`icon-https.svg\`, ...),
  \`favicons/\`, and every image the CSS references. Paths stay \`../img\` and
  \`../fonts\` relative to \`css/\`, as in the USWDS \`dist/\`.
- \`chartjs/chart.umd.min.js\` defines \`window.Chart\`; \`htmx/htmx.min.js\` defines
  \`window.htmx\`.
- Source-map comments are stripped because the \`.map\` files are not vendored.

Each directory has a \`VERSION\` file with the exact version vendored.
EOF

# --- Install -------------------------------------------------------------------------
mkdir -p "$VENDOR"
for dir in uswds chartjs htmx; do
    rm -rf "${VENDOR:?}/$dir"
    cp -R "$STAGE/$dir" "$VENDOR/$dir"
done
cp "$STAGE/README.md" "$VENDOR/README.md"

echo "vendor: USWDS $USWDS_V, Chart.js $CHART_V, htmx $HTMX_V -> ${VENDOR#"$ROOT"/}"
du -sh "$VENDOR/uswds" "$VENDOR/chartjs" "$VENDOR/htmx"
du -sh "$VENDOR" | sed 's/\t.*/\ttotal/'
