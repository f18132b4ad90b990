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

# The single executable (or a global npm install) when it is on PATH, else the npm
# package of this plugin's own version through npx (which needs Node.js 22 or later).
dockerhub_credentials_command() {
  if command -v dockerhub-credentials >/dev/null 2>&1; then
    DHC_COMMAND=("$(command -v dockerhub-credentials)")
  else
    local here version
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    version="$(sed -n 's/^  "version": "\([^"]*\)",$/\1/p' "$here/package.json" | head -n 1)"
    DHC_COMMAND=(npx --yes "dockerhub-credentials@${version}")
  fi
}
