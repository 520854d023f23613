#!/usr/bin/env bash
# Re-create assets/vendor/ from the npm registry (and the installed folium wheel).
#
# The operations room may run without internet, so every front-end file the
# dashboard and its folium maps load is served from /assets/vendor/.  This script
# is the single record of where each file came from; run it from anywhere:
#
#     bash assets/vendor/update_vendor.sh
#
# Needs: npm, tar, python (with folium installed).  Creates no node_modules and no
# package.json: each package is fetched with `npm pack` into a temp dir and only
# the dist files listed below are copied.  See README.md for the resulting table.
set -euo pipefail

VENDOR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# Versions: folium 0.20's default_js/default_css and plugin URLs where it pins one;
# Bootstrap 5.3.6 is what dash-bootstrap-components 2.0 uses for dbc.themes.BOOTSTRAP.
BOOTSTRAP=5.3.6
BOOTSTRAP_ICONS=1.13.2
LEAFLET=1.9.3
MARKERCLUSTER=1.1.0
LEAFLET_HEAT=0.2.0
JQUERY=3.7.1
AWESOME_MARKERS=2.0.2           # npm: drmonty-leaflet-awesome-markers (shim of lvoogdt's 2.0.2)
FONTAWESOME=6.2.0
BOOTSTRAP3=3.4.1                # glyphicons only
INTER=5.3.0                     # npm: @fontsource-variable/inter
HLS=1.7.4
D3=3.5.5                        # branca colormap legends (folium Choropleth / ColorMap)

# fetch NAME@VERSION -> prints the extracted package dir
fetch() {
    local spec="$1" dir
    dir="$TMP/$(echo "$spec" | tr '/@' '__')"
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
    echo "$dir/package"
}

# put SRC DEST: copy one file, creating the destination folder
put() {
    mkdir -p "$(dirname "$2")"
    cp "$1" "$2"
}

# Wipe everything except this script and the README.
find "$VENDOR" -mindepth 1 -maxdepth 1 ! -name update_vendor.sh ! -name README.md \
    -exec rm -rf {} +

# 1. Bootstrap 5.3 (CSS has data-bs-theme="dark" support) + Bootstrap Icons.
p="$(fetch "bootstrap@$BOOTSTRAP")"
put "$p/dist/css/bootstrap.min.css" "$VENDOR/bootstrap/bootstrap.min.css"
put "$p/dist/js/bootstrap.bundle.min.js" "$VENDOR/bootstrap/bootstrap.bundle.min.js"
put "$p/LICENSE" "$VENDOR/bootstrap/LICENSE"

p="$(fetch "bootstrap-icons@$BOOTSTRAP_ICONS")"
# The CSS loads url("fonts/bootstrap-icons.woff2?..."): keep fonts/ beside it.
put "$p/font/bootstrap-icons.min.css" "$VENDOR/bootstrap-icons/bootstrap-icons.min.css"
put "$p/font/fonts/bootstrap-icons.woff2" "$VENDOR/bootstrap-icons/fonts/bootstrap-icons.woff2"
put "$p/font/fonts/bootstrap-icons.woff" "$VENDOR/bootstrap-icons/fonts/bootstrap-icons.woff"
put "$p/LICENSE" "$VENDOR/bootstrap-icons/LICENSE"

# 2. Leaflet (images/ beside the CSS so default marker icons resolve).
p="$(fetch "leaflet@$LEAFLET")"
put "$p/dist/leaflet.js" "$VENDOR/leaflet/leaflet.js"
put "$p/dist/leaflet.css" "$VENDOR/leaflet/leaflet.css"
for img in layers.png layers-2x.png marker-icon.png marker-icon-2x.png marker-shadow.png; do
    put "$p/dist/images/$img" "$VENDOR/leaflet/images/$img"
done
put "$p/LICENSE" "$VENDOR/leaflet/LICENSE"

# 3. Leaflet.markercluster.
p="$(fetch "leaflet.markercluster@$MARKERCLUSTER")"
for f in leaflet.markercluster.js MarkerCluster.css MarkerCluster.Default.css; do
    put "$p/dist/$f" "$VENDOR/leaflet.markercluster/$f"
done
put "$p/MIT-LICENCE.txt" "$VENDOR/leaflet.markercluster/LICENSE"

# 4. Leaflet.heat.  The JS is folium's own copy (shipped in the folium wheel): the
# npm 0.2.0 build plus Leaflet.heat PR #78 (weights fix), i.e. the exact file
# folium's HeatMap loads from its CDN.  The licence comes from the npm package.
p="$(fetch "leaflet.heat@$LEAFLET_HEAT")"
put "$p/LICENSE" "$VENDOR/leaflet.heat/LICENSE"
folium_templates="$(python -c 'import folium, os; print(os.path.join(os.path.dirname(folium.__file__), "templates"))')"
put "$folium_templates/leaflet_heat.min.js" "$VENDOR/leaflet.heat/leaflet-heat.js"

# 5. The rest of folium.Map's default_js/default_css.
p="$(fetch "jquery@$JQUERY")"
put "$p/dist/jquery.min.js" "$VENDOR/jquery/jquery.min.js"
put "$p/LICENSE.txt" "$VENDOR/jquery/LICENSE.txt"

p="$(fetch "drmonty-leaflet-awesome-markers@$AWESOME_MARKERS")"
# Not the .min.js: that stale build lacks the extraClasses option folium uses
# (Icon(angle=...)); folium itself loads the non-minified file.
put "$p/js/leaflet.awesome-markers.js" "$VENDOR/leaflet.awesome-markers/leaflet.awesome-markers.js"
put "$p/css/leaflet.awesome-markers.css" "$VENDOR/leaflet.awesome-markers/leaflet.awesome-markers.css"
for img in markers-soft.png markers-soft@2x.png markers-shadow.png markers-shadow@2x.png; do
    put "$p/css/images/$img" "$VENDOR/leaflet.awesome-markers/images/$img"
done
# The shim package ships no LICENSE file; its package.json declares lvoogdt's MIT
# licence.  This is the text of that licence (Copyright (C) 2013 L. Voogdt).
cat >"$VENDOR/leaflet.awesome-markers/LICENSE" <<'EOF'
Copyright (C) 2013 L. Voogdt

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
EOF

p="$(fetch "@fortawesome/fontawesome-free@$FONTAWESOME")"
# all.min.css loads url(../webfonts/...): keep css/ and webfonts/ as siblings.
put "$p/css/all.min.css" "$VENDOR/fontawesome/css/all.min.css"
for f in "$p"/webfonts/*; do
    put "$f" "$VENDOR/fontawesome/webfonts/$(basename "$f")"
done
put "$p/LICENSE.txt" "$VENDOR/fontawesome/LICENSE.txt"

# Glyphicons (folium wants Bootstrap 3.0.0's bootstrap-glyphicons.css, which is not
# on npm).  Cut the glyphicon rules out of Bootstrap 3.4.1's CSS so the BS3 grid and
# reset do not fight Bootstrap 5, and load only woff2/woff.
p="$(fetch "bootstrap@$BOOTSTRAP3")"
put "$p/fonts/glyphicons-halflings-regular.woff2" "$VENDOR/glyphicons/fonts/glyphicons-halflings-regular.woff2"
put "$p/fonts/glyphicons-halflings-regular.woff" "$VENDOR/glyphicons/fonts/glyphicons-halflings-regular.woff"
put "$p/LICENSE" "$VENDOR/glyphicons/LICENSE"
mkdir -p "$VENDOR/glyphicons/css"
python - "$p/dist/css/bootstrap.css" "$VENDOR/glyphicons/css/bootstrap-glyphicons.min.css" <<'EOF'
import re
import sys

src, dst = sys.argv[1], sys.argv[2]
css = open(src, encoding="utf-8").read()
start = css.index('@font-face {\n  font-family: "Glyphicons Halflings";')
end = css.index("\n* {\n", start)
body = css[start:end]
body = re.sub(
    r"@font-face \{.*?\}",
    '@font-face{font-family:"Glyphicons Halflings";'
    'src:url("../fonts/glyphicons-halflings-regular.woff2") format("woff2"),'
    'url("../fonts/glyphicons-halflings-regular.woff") format("woff")}',
    body,
    count=1,
    flags=re.S,
)
body = re.sub(r"\s*\n\s*", "", body)
body = re.sub(r":\s+", ":", body)
body = re.sub(r"\s*\{\s*", "{", body)
body = re.sub(r";\}", "}", body)
header = (
    "/*! Glyphicons Halflings rules extracted from Bootstrap v3.4.1 "
    "(https://getbootstrap.com/) | Copyright 2011-2019 Twitter, Inc. | MIT */\n"
)
assert "glyphicon-info-sign" in body and ".glyphicon{" in body
open(dst, "w", encoding="utf-8").write(header + body + "\n")
EOF

# folium's leaflet.awesome.rotate.min.css is not packaged anywhere (folium loads it
# from its GitHub repo).  Icon(angle=N) adds class fa-rotate-N to the marker's <i>;
# this generated stylesheet gives every integer angle 0..359 its rotation.
python - "$VENDOR/folium/leaflet.awesome.rotate.min.css" <<'EOF'
import os
import sys

dst = sys.argv[1]
os.makedirs(os.path.dirname(dst), exist_ok=True)
rules = "".join(f".fa-rotate-{a}{{transform:rotate({a}deg)}}" for a in range(360))
with open(dst, "w", encoding="utf-8") as fh:
    fh.write("/* Rotation for folium Icon(angle=N) awesome-markers: class fa-rotate-N. */\n")
    fh.write(rules + "\n")
EOF

# branca's ColorMap (legends of folium.Choropleth and colormap.add_to(map)) adds
# d3 3.5.5 to the page header when it renders.
p="$(fetch "d3@$D3")"
put "$p/d3.min.js" "$VENDOR/d3/d3.min.js"
put "$p/LICENSE" "$VENDOR/d3/LICENSE"

# 6. Inter (variable weight 100-900, Latin subset only) for KPI numbers.
p="$(fetch "@fontsource-variable/inter@$INTER")"
put "$p/files/inter-latin-wght-normal.woff2" "$VENDOR/fonts/inter-latin-wght-normal.woff2"
put "$p/LICENSE" "$VENDOR/fonts/LICENSE"
cat >"$VENDOR/fonts/inter.css" <<'EOF'
/* Inter variable (weights 100-900), Latin subset, from @fontsource-variable/inter.
   Served locally: the operations room may be offline.  Use e.g.
   font-family: "Inter", system-ui, sans-serif; font-variant-numeric: tabular-nums; */
@font-face {
  font-family: "Inter";
  font-style: normal;
  font-display: swap;
  font-weight: 100 900;
  src: url("inter-latin-wght-normal.woff2") format("woff2-variations"),
       url("inter-latin-wght-normal.woff2") format("woff2");
  unicode-range: U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC,
    U+0304, U+0308, U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215,
    U+FEFF, U+FFFD;
}
@font-face {
  font-family: "Inter Variable";
  font-style: normal;
  font-display: swap;
  font-weight: 100 900;
  src: url("inter-latin-wght-normal.woff2") format("woff2-variations"),
       url("inter-latin-wght-normal.woff2") format("woff2");
  unicode-range: U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC,
    U+0304, U+0308, U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215,
    U+FEFF, U+FFFD;
}
EOF

# 7. hls.js (CCTV HLS streams).
p="$(fetch "hls.js@$HLS")"
put "$p/dist/hls.min.js" "$VENDOR/hls/hls.min.js"
put "$p/LICENSE" "$VENDOR/hls/LICENSE"

echo "vendored into $VENDOR:"
(cd "$VENDOR" && find . -type f | sort)
du -sh "$VENDOR"
