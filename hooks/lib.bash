#!/usr/bin/env bash
# Shared by the plugin's hooks: its configuration (Buildkite passes each property as
# BUILDKITE_PLUGIN_DOCKERHUB_CREDENTIALS_<NAME>), and which dockerhub-credentials runs.
# Nothing here reads, holds or exports the token: the CLI hands it to docker's stdin, so
# nothing secret reaches the job's environment (the Buildkite docker-login plugin moved to
# stdin after tokens showed up in the environment tab).

plugin_config() {
  local name="BUILDKITE_PLUGIN_DOCKERHUB_CREDENTIALS_$1"
  printf '%s' "${!name:-${2:-}}"
}

# The single executable (or a global npm install) when it is on PATH and its --version is this
# plugin's own version; else the npm package of this plugin's version through npx (which needs
# Node.js 22 or later). A dockerhub-credentials of another version (or one that cannot say its
# version within 60 s) is not run: with npx on PATH the pinned package runs instead, with a
# notice; without npx the hook stops with one sentence and the fix (exit 2).
dockerhub_credentials_command() {
  local here version found said
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  version="$(sed -n 's/^  "version": "\([^"]*\)",$/\1/p' "$here/package.json" | head -n 1)"
  if found="$(command -v dockerhub-credentials 2>/dev/null)"; then
    said="$(timeout -k 5 60 "$found" --version 2>/dev/null | head -n 1)" || said=""
    said="${said%% *}"
    said="${said#v}"
    if [[ "$said" == "$version" ]]; then
      DHC_COMMAND=("$found")
      return 0
    fi
    if ! command -v npx >/dev/null 2>&1; then
      echo "dockerhub-credentials: $found is version ${said:-unknown (no answer to --version)}, and this plugin is $version (there is no npx on PATH to run $version instead): install the $version single executable as $found, or pin the plugin to the version on PATH." >&2
      return 2
    fi
    echo "dockerhub-credentials: $found is version ${said:-unknown (no answer to --version)}, not this plugin's $version: running npx dockerhub-credentials@$version instead." >&2
  fi
  DHC_COMMAND=(npx --yes "dockerhub-credentials@${version}")
}
