#!/bin/sh
# Records what `infoplane --version` prints: writes OUT_FILE (a Java properties file) with the
# version, the git commit of the source tree and whether the tree had uncommitted changes.
# Run by the build (cli/pom.xml, phase generate-resources) from the repository root:
#   sh cli/src/build/build-info.sh OUT_FILE VERSION
# Assumes a POSIX sh. Without git, or in a tree that is not a git checkout (a source archive), the
# commit is "unknown": git is not allowed to look above the repository root (GIT_CEILING_DIRECTORIES),
# so a source tree unpacked inside some other checkout does not report that checkout's commit.
# A linked worktree (`git worktree add`) is a checkout like any other here.
set -u
out="$1"
version="$2"
root="$(pwd -P)"
GIT_CEILING_DIRECTORIES="$(dirname "$root")"
GIT_OPTIONAL_LOCKS=0
export GIT_CEILING_DIRECTORIES GIT_OPTIONAL_LOCKS
commit="$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null)" || commit=""
modified=false
if [ -z "$commit" ]; then
  commit=unknown
elif [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  modified=true
fi
mkdir -p "$(dirname "$out")"
printf 'version=%s\ncommit=%s\nmodified=%s\n' "$version" "$commit" "$modified" > "$out"
