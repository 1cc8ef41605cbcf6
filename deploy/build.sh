#!/usr/bin/env bash
# Builds the node and the wallet in this checkout: node/target and wallet-cli/target hold each
# one's jar and its runtime classpath (lib/). Tests are skipped, and nothing is installed into the
# local Maven repository: the reactor resolves Cairn's own modules from their target/ directories.
# The one build both `./cairn` and the Dockerfile run. Maven options (a local repository, say) come
# from MAVEN_OPTS; extra arguments are passed to Maven.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v mvn >/dev/null || { echo "error: Maven (mvn) 3.8 or newer is needed to build Cairn" >&2; exit 1; }
cd "$root"
exec mvn -B -q -ntp -Dstyle.color=never -Dmaven.test.skip=true -pl node,wallet-cli -am "$@" package
