#!/usr/bin/env bash
# Render benchmark of issue 5 (dev.attnstudio.app.bench.RenderBenchmark): overview grid 12x12 heads at 256 tokens,
# one 1024x1024 head, PNG export of a 2048x2048 map. Headless (Monocle, software rendering), offline, from a fresh
# clone: compiles the reactor and runs on its classes, so no `mvn install` is needed.
# Usage, from anywhere: app/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
# One reactor build: compiles engine, sample-models, lessons and app (main and test) and writes app's test class
# path, in which the reactor modules are their target/classes folders.
mvn -o -q -pl app -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
exec java -cp "app/target/test-classes:app/target/classes:$(cat app/target/bench.cp)" \
    -Xss4m -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -DDJL_CACHE_DIR=target/djl-cache \
    dev.attnstudio.app.bench.RenderBenchmark "$@"
