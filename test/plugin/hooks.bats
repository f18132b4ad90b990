#!/usr/bin/env bats
# The Buildkite plugin's hooks, run as the agent runs them: each hook sourced by bash with
# the plugin's configuration as BUILDKITE_PLUGIN_DOCKERHUB_CREDENTIALS_* variables, and the
# environment the hook leaves behind compared with the one before (the agent exports that
# difference into the job). Run by test/integration/buildkite-plugin.test.ts, which starts
# moto and the Docker Hub stand-in and passes:
#   PLUGIN_ROOT, SECRET_ID, REGISTRY, TOKEN_FILE (the token, to prove it is nowhere),
#   CLI_BIN (a folder with dockerhub-credentials), NPX_BIN (a folder with a stand-in npx),
#   NO_NODE_BIN (a folder with the single executable and docker, and no node), or empty.

setup() {
  export DOCKER_CONFIG="$BATS_TEST_TMPDIR/docker"
  mkdir -p "$DOCKER_CONFIG"
  # As docker writes it: tabs, no final newline.
  printf '{\n\t"auths": {\n\t\t"other.example.com": {\n\t\t\t"auth": "Ym9iOm90aGVy"\n\t\t}\n\t},\n\t"currentContext": "default"\n}' > "$DOCKER_CONFIG/config.json"
  cp "$DOCKER_CONFIG/config.json" "$BATS_TEST_TMPDIR/before.json"
  export BUILDKITE_PLUGIN_DOCKERHUB_CREDENTIALS_SECRET_ID="$SECRET_ID"
  export BUILDKITE_PLUGIN_DOCKERHUB_CREDENTIALS_REGISTRY="$REGISTRY"
  export PATH="$CLI_BIN:$BASE_PATH"
}

# Runs a hook as the agent does (sourced), and keeps the environment it leaves.
run_hook() {
  env | sort > "$BATS_TEST_TMPDIR/env-before"
  run bash -c '. "$1" && env | sort > "$2"' _ "$PLUGIN_ROOT/hooks/$1" "$BATS_TEST_TMPDIR/env-after-$1"
}

assert_no_token_in() {
  if grep -qF -f "$TOKEN_FILE" "$@"; then
    echo "the token is in $*" >&2
    return 1
  fi
}

assert_job_env_unchanged() {
  # Bash's own bookkeeping changes in every shell; anything else would reach the job.
  diff <(grep -vE '^(_|SHLVL|OLDPWD|BASH_FUNC_[^=]*)=' "$BATS_TEST_TMPDIR/env-before") \
       <(grep -vE '^(_|SHLVL|OLDPWD|BASH_FUNC_[^=]*)=' "$BATS_TEST_TMPDIR/env-after-$1")
  assert_no_token_in "$BATS_TEST_TMPDIR/env-after-$1"
}

host() { printf '%s' "${REGISTRY#http://}"; }

@test "pre-command logs in from the plugin's configuration; pre-exit logs out: the config is as it was, and the token is in no variable and no file" {
  run_hook pre-command
  [ "$status" -eq 0 ]
  [[ "$output" == *"docker login as alice1"* ]]
  grep -q "\"$(host)\"" "$DOCKER_CONFIG/config.json"
  assert_job_env_unchanged pre-command
  assert_no_token_in <(printf '%s' "$output")

  run_hook pre-exit
  [ "$status" -eq 0 ]
  [[ "$output" == *"Removed auths"* ]]
  cmp "$DOCKER_CONFIG/config.json" "$BATS_TEST_TMPDIR/before.json"
  [ "$(ls "$DOCKER_CONFIG")" = "config.json" ]
  assert_job_env_unchanged pre-exit
  assert_no_token_in -r "$DOCKER_CONFIG"
}

@test "pre-exit logs out after a command that failed (Buildkite runs it whatever the exit)" {
  run_hook pre-command
  [ "$status" -eq 0 ]
  run bash -c 'exit 3'
  [ "$status" -eq 3 ]
  run_hook pre-exit
  [ "$status" -eq 0 ]
  cmp "$DOCKER_CONFIG/config.json" "$BATS_TEST_TMPDIR/before.json"
}

@test "pre-exit with nothing logged in says so and exits 0" {
  run_hook pre-exit
  [ "$status" -eq 0 ]
  [[ "$output" == *"Nothing to remove"* ]]
  cmp "$DOCKER_CONFIG/config.json" "$BATS_TEST_TMPDIR/before.json"
}

@test "logout: false keeps the login" {
  run_hook pre-command
  [ "$status" -eq 0 ]
  export BUILDKITE_PLUGIN_DOCKERHUB_CREDENTIALS_LOGOUT=false
  run_hook pre-exit
  [ "$status" -eq 0 ]
  [[ "$output" == *"the login stays"* ]]
  grep -q "\"$(host)\"" "$DOCKER_CONFIG/config.json"
  # Leave the agent clean for the next test.
  unset BUILDKITE_PLUGIN_DOCKERHUB_CREDENTIALS_LOGOUT
  run_hook pre-exit
  cmp "$DOCKER_CONFIG/config.json" "$BATS_TEST_TMPDIR/before.json"
}

@test "without secret-id, pre-command stops with one sentence and exit 2, and docker is not touched" {
  unset BUILDKITE_PLUGIN_DOCKERHUB_CREDENTIALS_SECRET_ID
  run_hook pre-command
  [ "$status" -eq 2 ]
  [[ "$output" == *"the plugin needs secret-id"* ]]
  cmp "$DOCKER_CONFIG/config.json" "$BATS_TEST_TMPDIR/before.json"
}

@test "the stage and region go to login as flags" {
  export BUILDKITE_PLUGIN_DOCKERHUB_CREDENTIALS_STAGE=AWSPREVIOUS
  run_hook pre-command
  # The test secret has no AWSPREVIOUS version: login says so, naming the stage.
  [ "$status" -eq 4 ]
  [[ "$output" == *"has no AWSPREVIOUS version"* ]]
  cmp "$DOCKER_CONFIG/config.json" "$BATS_TEST_TMPDIR/before.json"
}

@test "without dockerhub-credentials on PATH, the hooks run the plugin's own version through npx" {
  export PATH="$NPX_BIN:$BASE_PATH"
  run_hook pre-command
  [ "$status" -eq 0 ]
  version="$(sed -n 's/^  "version": "\([^"]*\)",$/\1/p' "$PLUGIN_ROOT/package.json")"
  grep -qx -- "--yes dockerhub-credentials@$version login --non-interactive --secret-id $SECRET_ID --registry $REGISTRY" "$NPX_BIN/npx.log"
  run_hook pre-exit
  [ "$status" -eq 0 ]
  grep -qx -- "--yes dockerhub-credentials@$version logout --non-interactive --registry $REGISTRY" "$NPX_BIN/npx.log"
  cmp "$DOCKER_CONFIG/config.json" "$BATS_TEST_TMPDIR/before.json"
}

@test "with the single executable on a PATH that has no node, the hooks use it" {
  [ -n "$NO_NODE_BIN" ] || skip "no single executable was built for this run"
  export PATH="$NO_NODE_BIN"
  ! command -v node
  run_hook pre-command
  [ "$status" -eq 0 ]
  grep -q "\"$(host)\"" "$DOCKER_CONFIG/config.json"
  assert_job_env_unchanged pre-command
  run_hook pre-exit
  [ "$status" -eq 0 ]
  cmp "$DOCKER_CONFIG/config.json" "$BATS_TEST_TMPDIR/before.json"
}

@test "a dockerhub-credentials of another version on PATH is not run: the hooks run the plugin's own version through npx, with a notice" {
  mkdir -p "$BATS_TEST_TMPDIR/old-bin"
  printf '#!/bin/sh\necho "0.0.9 (single executable; Node v26.0.0, linux-x64)"\n[ "$1" = --version ] || echo ran >> "%s"\n' "$BATS_TEST_TMPDIR/old.log" > "$BATS_TEST_TMPDIR/old-bin/dockerhub-credentials"
  chmod 755 "$BATS_TEST_TMPDIR/old-bin/dockerhub-credentials"
  export PATH="$BATS_TEST_TMPDIR/old-bin:$NPX_BIN:$BASE_PATH"
  version="$(sed -n 's/^  "version": "\([^"]*\)",$/\1/p' "$PLUGIN_ROOT/package.json")"
  run_hook pre-command
  [ "$status" -eq 0 ]
  [[ "$output" == *"$BATS_TEST_TMPDIR/old-bin/dockerhub-credentials is version 0.0.9, not this plugin's $version: running npx dockerhub-credentials@$version instead."* ]]
  grep -q "\"$(host)\"" "$DOCKER_CONFIG/config.json"
  run_hook pre-exit
  [ "$status" -eq 0 ]
  cmp "$DOCKER_CONFIG/config.json" "$BATS_TEST_TMPDIR/before.json"
  # Asked its version only, never run for login or logout.
  [ ! -e "$BATS_TEST_TMPDIR/old.log" ]
}

@test "a dockerhub-credentials of another version and no npx: the hook stops with one sentence and the fix (exit 2), docker untouched" {
  [ -n "$NO_NODE_BIN" ] || skip "no single executable was built for this run"
  mkdir -p "$BATS_TEST_TMPDIR/old-bin"
  printf '#!/bin/sh\necho 0.0.9\n' > "$BATS_TEST_TMPDIR/old-bin/dockerhub-credentials"
  chmod 755 "$BATS_TEST_TMPDIR/old-bin/dockerhub-credentials"
  export PATH="$BATS_TEST_TMPDIR/old-bin:$NO_NODE_BIN"
  ! command -v npx
  version="$(sed -n 's/^  "version": "\([^"]*\)",$/\1/p' "$PLUGIN_ROOT/package.json")"
  run_hook pre-command
  [ "$status" -eq 2 ]
  [[ "$output" == *"is version 0.0.9, and this plugin is $version (there is no npx on PATH to run $version instead): install the $version single executable as $BATS_TEST_TMPDIR/old-bin/dockerhub-credentials, or pin the plugin to the version on PATH."* ]]
  cmp "$DOCKER_CONFIG/config.json" "$BATS_TEST_TMPDIR/before.json"
}
