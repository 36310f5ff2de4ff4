#!/usr/bin/env bash
# Screenshots of the Attention Studio window, taken on a virtual X server (works on a machine without a display),
# for a person to look at: every view tab in the light and the dark theme, and an encoder with a padded batch. The
# views, their order and their keys come from the app's view registry (dev.attnstudio.app.PrintViews), so a view
# registered there is shot too.
#
#   scripts/screenshot.sh [OUT_DIR]        default OUT_DIR: /tmp/shots
#
# Writes OUT_DIR/light-NN-<view>.png and OUT_DIR/dark-NN-<view>.png for each view, NN its place in the tab order and
# <view> its registered id (after F5 ran the default sample,
# random-gpt2-tiny, to the breakpoint blocks.*.attn.hook_pattern), OUT_DIR/light-after-step-back.png,
# OUT_DIR/dark-after-run-to-end.png, OUT_DIR/light-generated-*.png (one token generated with Ctrl+G: the generation,
# KV cache, entropy and pipeline tabs), OUT_DIR/light-intervention-*.png (a head ablated: the grid and the Head tab),
# OUT_DIR/encoder-batch.png (all-minilm-l6-v2 with a two-prompt batch, at
# its first pattern), OUT_DIR/long-43-*.png (a 43-token prompt: the Head and Mask tabs with thinned axis labels), and
# OUT_DIR/t5-*.png (the trained reverse-t5 sample on the prompt "attention": encoder and decoder token rows, encoder
# self-attention, decoder cross-attention in the grid, Head, Stages, Mask and Entropy tabs, the next-token
# probabilities, and the KV cache, mask, entropy and generation after three generated decoder tokens), and
# OUT_DIR/matrix-<size>-<sample>-<theme>-NN-<view>.png: every view of one sample per model family (tiny-gpt,
# all-minilm-l6-v2, tiny-llama, reverse-t5) in light and dark at 1280x800 and 1920x1080 (MATRIX=0 skips them), and
# OUT_DIR/lesson-NN-<theme>.png: lessons 05, 10, 11 and 17 of the course in the lesson panel. The app runs with its own
# preferences under OUT_DIR/prefs and lesson progress under OUT_DIR/config: the user's are not touched.
#
# Needs, on Debian/Ubuntu (dev tools only):
#   apt-get install -y xvfb imagemagick xdotool jq # xvfb-run, import, xdotool, jq (reads course.json)
#   apt-get install -y libgtk-3-0                  # JavaFX needs GTK 3 for a real window
#
# Environment: SETTLE_SECONDS (default 6) is how long to wait after the window appears for the model to load;
# SKIP_BUILD=1 skips compiling; STEP_SECONDS (default 2) is the wait after each key; WINDOW=1920x1080 resizes the
# window (default: the app's own 1280x800) and SCREEN (default 1400x900, or room for WINDOW) sizes the virtual screen.
set -euo pipefail

OUT_DIR=${1:-/tmp/shots}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TITLE="Attention Studio"
SETTLE_SECONDS=${SETTLE_SECONDS:-6}
STEP_SECONDS=${STEP_SECONDS:-2}
WINDOW=${WINDOW:-}
if [[ -n "$WINDOW" ]]; then
    SCREEN=${SCREEN:-$((${WINDOW%x*} + 80))x$((${WINDOW#*x} + 80))}
fi
if [[ "${MATRIX:-1}" != 0 ]]; then
    SCREEN=${SCREEN:-2000x1160} # room for the 1920x1080 window of the family matrix below
fi
SCREEN=${SCREEN:-1400x900}

missing=()
for tool in xvfb-run import xdotool jq mvn java; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "screenshot.sh: missing ${missing[*]}." >&2
    echo "  Install with: apt-get install -y xvfb imagemagick xdotool jq   (and maven and a JDK 17)" >&2
    exit 1
fi

# Re-run this script inside a virtual X server; everything below runs with DISPLAY set.
if [[ "${ATTNSTUDIO_IN_XVFB:-}" != 1 ]]; then
    mkdir -p "$OUT_DIR"
    OUT_DIR=$(cd "$OUT_DIR" && pwd)
    build=test-compile
    if [[ "${SKIP_BUILD:-}" == 1 ]]; then
        build=compile # nothing to do when up to date; the reactor's modules resolve only to what this run compiled
    else
        echo "compiling (mvn -o -q -B -pl app -am test-compile)..."
    fi
    # The class path of the app: its own classes and the reactor modules' (not ~/.m2 copies), then the jars. In the
    # same run as the compile, so the reactor modules resolve to their target/classes without being installed.
    (cd "$ROOT" && mvn -o -q -B -pl app -am "$build" dependency:build-classpath -Dmdep.includeScope=runtime \
        -Dmdep.outputFile="$OUT_DIR/classpath.txt" >/dev/null)
    ATTNSTUDIO_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 ${SCREEN}x24" "$0" "$OUT_DIR"
fi

CP="$ROOT/app/target/classes:$ROOT/engine/target/classes:$ROOT/sample-models/target/classes:$ROOT/lessons/target/classes"
# Reactor modules from their target/classes above, not from ~/.m2; JavaFX on the module path (an Application
# started from the class path is refused: "JavaFX runtime components are missing").
jars=$(tr ':' '\n' <"$OUT_DIR/classpath.txt" | grep -v '/dev/attnstudio/' || true)
FX_PATH=$(grep '/org/openjfx/' <<<"$jars" | paste -sd: -)
CP="$CP:$(grep -v '/org/openjfx/' <<<"$jars" | paste -sd: -)"
log="$OUT_DIR/app.log"

# The registered views: id, title and key per line ("Alt+1", "Alt+Shift+1", or "-" for a view without a key).
VIEWS=()
declare -A VIEW_KEY
while IFS=$'\t' read -r id title view_key; do
    VIEWS+=("$id")
    VIEW_KEY[$id]=$view_key
done < <(java --module-path "$FX_PATH" --add-modules javafx.controls -cp "$CP" dev.attnstudio.app.PrintViews)
((${#VIEWS[@]})) || { echo "screenshot.sh: the app lists no views" >&2; exit 1; }
mkdir -p "$OUT_DIR/prefs"
rm -rf "$OUT_DIR/prefs"/* # every run starts from the defaults (light theme, zoom 1)

app_pid=""
window=""

start_app() { # [--model=NAME]
    window=""
    # The course's progress goes under OUT_DIR too, and a first start does not offer the course (no banner).
    XDG_CONFIG_HOME="$OUT_DIR/config" DJL_OFFLINE=true OPT_OUT_TRACKING=true setsid java -Dai.djl.offline=true \
        -DOPT_OUT_TRACKING=true -Dattnstudio.courseOffer=false \
        -DDJL_CACHE_DIR="$ROOT/target/djl-cache" -Djava.util.prefs.userRoot="$OUT_DIR/prefs" \
        --module-path "$FX_PATH" --add-modules javafx.controls,javafx.swing -cp "$CP" dev.attnstudio.app.AttentionStudioApp "$@" >>"$log" 2>&1 &
    app_pid=$!
    for _ in $(seq 1 120); do
        window=$(xdotool search --name "^$TITLE\$" 2>/dev/null | head -n 1 || true)
        [[ -n "$window" ]] && break
        kill -0 "$app_pid" 2>/dev/null || { echo "the app exited early; see $log" >&2; exit 1; }
        sleep 0.5
    done
    [[ -n "$window" ]] || { echo "no '$TITLE' window after 60 s; see $log" >&2; exit 1; }
    if [[ -n "$WINDOW" ]]; then
        xdotool windowmove --sync "$window" 0 0 2>/dev/null || true
        xdotool windowsize --sync "$window" "${WINDOW%x*}" "${WINDOW#*x}" 2>/dev/null || true
    fi
    sleep "$SETTLE_SECONDS" # the model loads in the background
}

stop_app() {
    [[ -n "$app_pid" ]] || return 0
    if kill -0 "$app_pid" 2>/dev/null; then
        [[ -n "$window" ]] && xdotool windowfocus --sync "$window" key ctrl+q 2>/dev/null || true
        for _ in $(seq 1 20); do
            kill -0 "$app_pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -TERM -- "-$app_pid" 2>/dev/null || true
        wait "$app_pid" 2>/dev/null || true
    fi
    app_pid=""
}
trap stop_app EXIT

key() {
    xdotool windowfocus --sync "$window" key "$@"
    sleep "$STEP_SECONDS"
}

shot() {
    import -window "$window" "$OUT_DIR/$1"
    echo "wrote $OUT_DIR/$1"
}

show() { # VIEW_ID: selects the view's tab with its key
    local k=${VIEW_KEY[$1]:-}
    [[ -n "$k" ]] || { echo "screenshot.sh: no view $1 in the registry" >&2; exit 1; }
    if [[ "$k" == - ]]; then
        echo "screenshot.sh: the view $1 has no key; not shown" >&2
        return 1
    fi
    key "${k,,}" # Alt+Shift+1 -> alt+shift+1
}

tabs() { # THEME
    for i in "${!VIEWS[@]}"; do
        show "${VIEWS[$i]}" || continue
        shot "$(printf '%s-%02d-%s.png' "$1" $((i + 1)) "${VIEWS[$i]}")"
    done
}

# The default decoder sample: every tab after F5, light then dark.
start_app
key F5
tabs light
show head
key shift+F10
shot light-after-step-back.png
key F10
key ctrl+shift+d
tabs dark
show head
key ctrl+Return
shot dark-after-run-to-end.png
key ctrl+shift+l
# One generated token (Ctrl+G), then the tabs that show generation.
show generation
key ctrl+g
shot light-generated-generation.png
key ctrl+Return
show kv-cache
shot light-generated-kv-cache.png
show entropy
shot light-generated-entropy.png
show pipeline
shot light-generated-pipeline.png
# Interventions: ablate the selected head (Ctrl+Shift+A; the grid crosses it out, the steps list marks hook_z),
# then run to the end; the Head tab's note says what was replaced. Cleared again (Ctrl+Shift+Backspace) afterwards.
show attention-grid
key ctrl+shift+a
key ctrl+Return
shot light-intervention-grid.png
show head
shot light-intervention-head.png
key ctrl+shift+BackSpace
# A 43-token prompt: cells smaller than a line of text, labels thinned to every k-th.
key ctrl+l
key ctrl+a
xdotool type --delay 20 "Attention is all you need, said the paper.."
sleep "$STEP_SECONDS"
key F5
show head
shot long-43-head.png
show mask
shot long-43-mask.png
stop_app

# The trained reverse-t5 sample: the prompt is the source, the decoder starts from its start token. F5 stops at
# each stack's self-attention pattern (encoder.blocks.0, encoder.blocks.1, decoder.blocks.0); twelve F10 steps more
# reach decoder.blocks.0.cross_attn.hook_pattern. Ctrl+Enter runs the pass, Ctrl+G generates a decoder token.
start_app --model=reverse-t5
key ctrl+l
key ctrl+a
xdotool type --delay 30 "attention"
sleep "$STEP_SECONDS"
key F5
show attention-grid
shot t5-encoder-grid.png
key F5
key F5
for _ in $(seq 1 12); do
    xdotool windowfocus --sync "$window" key F10
    sleep 0.3
done
sleep "$STEP_SECONDS"
show attention-grid
shot t5-cross-grid.png
show head
shot t5-cross-head.png
show stages
shot t5-cross-stages.png
show mask
shot t5-cross-mask.png
show entropy
shot t5-cross-entropy.png
key ctrl+Return
show generation
shot t5-generation.png
key ctrl+g
shot t5-generation-new-pass.png
key ctrl+Return
key ctrl+g
key ctrl+Return
key ctrl+g
key ctrl+Return
show kv-cache
shot t5-generated-kv-cache.png
show generation
shot t5-generated-generation.png
show mask
shot t5-generated-mask.png
show head
shot t5-generated-head.png
key ctrl+shift+d
show entropy
shot t5-dark-entropy.png
key ctrl+shift+l
stop_app

# An encoder with a padded batch of two prompts: Prompt > Batch of prompts, then a second line in the prompt.
start_app --model=all-minilm-l6-v2
key ctrl+b
key ctrl+l
key ctrl+End Return
xdotool type --delay 30 "A second, much longer prompt shows the padding."
sleep "$STEP_SECONDS"
key F5
show head
shot encoder-batch.png
stop_app

# Every view of one sample per model family (GPT-2, BERT, LLaMA, T5), light and dark, at 1280x800 and 1920x1080:
# OUT_DIR/matrix-<size>-<sample>-<theme>-NN-<view>.png. Each pass runs to the end (Ctrl+Enter) and a decoder then
# generates (Ctrl+Shift+G, 20 tokens), so the generation, KV cache and entropy views have something to show.
# MATRIX=0 skips this part (it takes the longest).
if [[ "${MATRIX:-1}" != 0 ]]; then
    for WINDOW in 1280x800 1920x1080; do
        for model in tiny-gpt all-minilm-l6-v2 tiny-llama reverse-t5; do
            start_app --model="$model"
            key ctrl+Return
            if [[ "$model" != all-minilm-l6-v2 ]]; then
                key ctrl+shift+g
                sleep $((STEP_SECONDS * 3))
            fi
            tabs "matrix-$WINDOW-$model-light"
            key ctrl+shift+d
            tabs "matrix-$WINDOW-$model-dark"
            key ctrl+shift+l
            stop_app
        done
    done
fi

# The course (lessons 05, 10, 11 and 17), each opened with --lesson=ID:PAGE on its first page with an exercise, light and
# dark: OUT_DIR/lesson-<NN>-<theme>.png. A lesson the bundled course does not list is skipped with a message.
COURSE="$ROOT/lessons/src/main/resources/dev/attnstudio/lessons/course"
for number in 05 10 11 17; do
    folder=$(jq -r --arg n "$number-" '.lessons[] | select(startswith($n))' "$COURSE/course.json" 2>/dev/null | head -n 1)
    if [[ -z "$folder" || ! -f "$COURSE/$folder/lesson.json" ]]; then
        echo "lesson $number is not in the course yet: no screenshot"
        continue
    fi
    id=$(jq -r '.id' "$COURSE/$folder/lesson.json")
    page=$(jq -r '[.pages | to_entries[] | select(.value.exercise != null) | .key][0] // 0' "$COURSE/$folder/lesson.json")
    WINDOW=1280x800 start_app --lesson="$id:$((page + 1))"
    sleep $((STEP_SECONDS * 5)) # the page opens its model, runs its actions, then the views fill in
    shot "lesson-$number-light.png"
    key ctrl+shift+d
    sleep "$STEP_SECONDS" # a blurred view (a prediction) takes a moment to draw again
    shot "lesson-$number-dark.png"
    key ctrl+shift+l
    stop_app
done

# The diagnostic views (issue 12), light and dark: Health on the collapsed induction sample (every head flagged, a
# head's evidence after a click) and on the healthy one; Lint on a clean run, then with a mask bug injected from the
# menu bar (Interventions > Inject a mask bug > the first bug, with the keyboard); Rollout (and its receptive-field
# normalised variant) and the Logit lens on the healthy induction sample: OUT_DIR/diag-<theme>-<view>-<what>.png.
# DIAGNOSTICS=0 skips them.
if [[ "${DIAGNOSTICS:-1}" != 0 ]]; then
    WINDOW=${DIAG_WINDOW:-}
    start_app --model=induction-2l-collapsed
    sleep "$SETTLE_SECONDS" # (a bundled folder is copied out before it loads)
    key ctrl+Return
    show health
    sleep "$STEP_SECONDS" # the report card runs on the engine thread once the view shows
    xdotool mousemove --window "$window" 560 470 click 1 # a head of the grid: its evidence
    sleep 1
    shot diag-light-health-collapsed.png
    key ctrl+shift+d
    shot diag-dark-health-collapsed.png
    key ctrl+shift+l
    stop_app

    start_app --model=induction-2l
    sleep "$SETTLE_SECONDS"
    key ctrl+Return
    for theme in light dark; do
        [[ "$theme" == dark ]] && key ctrl+shift+d
        show health
        sleep "$STEP_SECONDS"
        shot "diag-$theme-health-healthy.png"
        show lint
        sleep "$STEP_SECONDS"
        shot "diag-$theme-lint-clean.png"
        show rollout
        shot "diag-$theme-rollout.png"
        show logit-lens
        shot "diag-$theme-logit-lens.png"
    done
    key ctrl+shift+l
    show rollout # its receptive-field normalised variant and flow (the mode buttons, at the app's 1280x800)
    xdotool mousemove --window "$window" 566 378 click 1
    sleep "$STEP_SECONDS"
    shot diag-light-rollout-normalised.png
    xdotool mousemove --window "$window" 810 378 click 1
    sleep "$STEP_SECONDS"
    shot diag-light-rollout-flow.png
    # A mask bug from the menu bar: Alt opens it on File; Right to Interventions; Down into it; the fourth item is
    # "Inject a mask bug", whose submenu opens with Right on its first bug (broadcast); two down is "flipped".
    key alt
    key Right Right Right Right
    key Down
    key Down Down Down
    key Right
    key Down Down
    key Return
    key ctrl+Return
    show lint
    sleep "$STEP_SECONDS"
    shot diag-light-lint-bug.png
    key ctrl+shift+d
    shot diag-dark-lint-bug.png
    key ctrl+shift+l
    stop_app
fi

# The Diff and Timeline views on induction-2l (the sample that ships training checkpoints), light and dark:
# OUT_DIR/diff-<theme>.png after comparing with step 0 (the Compare button's mnemonic, Alt+C) and
# OUT_DIR/timeline-<theme>.png at the last step (the scrubber's first replay).
start_app --model=induction-2l
key ctrl+Return
show diff
key alt+c
sleep $((STEP_SECONDS * 3))
shot diff-light.png
show timeline
sleep $((STEP_SECONDS * 3))
shot timeline-light.png
key ctrl+shift+d
show diff
shot diff-dark.png
show timeline
shot timeline-dark.png
key ctrl+shift+l
stop_app
