#!/usr/bin/env bash
# Screenshots of the Attention Studio window, taken on a virtual X server (works on a machine without a display).
#
#   scripts/screenshot.sh [OUT_DIR]        default OUT_DIR: /tmp/shots
#
# Writes OUT_DIR/initial.png (model loaded, before the first step) and, when xdotool is installed to drive
# the window, OUT_DIR/after-f5.png (run to the breakpoint blocks.*.attn.hook_pattern),
# OUT_DIR/after-step-back.png (Shift+F10: the masked scores) and OUT_DIR/after-run-to-end.png.
#
# Installs nothing. Needs, on Debian/Ubuntu:
#   apt-get install -y xvfb imagemagick      # xvfb-run, import
#   apt-get install -y xdotool               # optional: press keys in the window
#   apt-get install -y libgtk-3-0            # JavaFX needs GTK 3 for a real window
#
# Environment: SETTLE_SECONDS (default 4) is how long to wait after the window appears for the sample model
# to load; SKIP_BUILD=1 skips `mvn install`; PROMPT="..." types that prompt (needs xdotool) before pressing F5.
set -euo pipefail

OUT_DIR=${1:-/tmp/shots}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TITLE="Attention Studio"
SETTLE_SECONDS=${SETTLE_SECONDS:-4}

missing=()
for tool in xvfb-run import mvn; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "screenshot.sh: missing ${missing[*]}." >&2
    echo "  Install with: apt-get install -y xvfb imagemagick   (and maven for mvn)" >&2
    exit 1
fi

# Re-run this script inside a virtual X server; everything below runs with DISPLAY set.
if [[ "${ATTNSTUDIO_IN_XVFB:-}" != 1 ]]; then
    if [[ "${SKIP_BUILD:-}" != 1 ]]; then
        echo "building (mvn -q -B -o install -DskipTests)..."
        (cd "$ROOT" && mvn -q -B -o install -DskipTests)
    fi
    mkdir -p "$OUT_DIR"
    ATTNSTUDIO_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 1400x900x24" "$0" "$OUT_DIR"
fi

have_xdotool=0
command -v xdotool >/dev/null 2>&1 && have_xdotool=1
log="$OUT_DIR/app.log"

# The app runs in its own process group so that stopping it also stops the JVM that maven forks.
cd "$ROOT"
setsid mvn -q -B -o -pl app javafx:run >"$log" 2>&1 &
app_pid=$!

stop_app() {
    if kill -0 "$app_pid" 2>/dev/null; then
        if ((have_xdotool)) && [[ -n "${window:-}" ]]; then
            xdotool windowfocus --sync "$window" key ctrl+q 2>/dev/null || true
            for _ in $(seq 1 20); do
                kill -0 "$app_pid" 2>/dev/null || return 0
                sleep 0.5
            done
        fi
        kill -TERM -- "-$app_pid" 2>/dev/null || true
        wait "$app_pid" 2>/dev/null || true
    fi
}
trap stop_app EXIT

# Wait for the window: by title with xdotool, else give the JVM a fixed head start.
window=""
if ((have_xdotool)); then
    for _ in $(seq 1 120); do
        window=$(xdotool search --name "^$TITLE\$" 2>/dev/null | head -n 1 || true)
        [[ -n "$window" ]] && break
        kill -0 "$app_pid" 2>/dev/null || { echo "the app exited early; see $log" >&2; exit 1; }
        sleep 0.5
    done
    [[ -n "$window" ]] || { echo "no '$TITLE' window after 60 s; see $log" >&2; exit 1; }
else
    sleep 15
fi
sleep "$SETTLE_SECONDS" # the sample model loads in the background

shot() {
    import -window root "$OUT_DIR/$1"
    echo "wrote $OUT_DIR/$1"
}

shot initial.png
if ((have_xdotool)); then
    if [[ -n "${PROMPT:-}" ]]; then
        xdotool windowfocus --sync "$window" key ctrl+a BackSpace
        xdotool type --delay 40 "$PROMPT"
        sleep 1
        shot prompt.png
    fi
    xdotool windowfocus --sync "$window" key F5
    sleep 2
    shot after-f5.png
    xdotool windowfocus --sync "$window" key shift+F10
    sleep 1
    shot after-step-back.png
    xdotool windowfocus --sync "$window" key ctrl+Return
    sleep 3
    shot after-run-to-end.png
else
    echo "xdotool is not installed: only the initial screenshot was taken (apt-get install -y xdotool)"
fi
