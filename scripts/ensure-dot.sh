#!/usr/bin/env bash
# Install Graphviz's `dot` through the system package manager when it is missing and we may.
set -u
if command -v dot >/dev/null 2>&1; then exit 0; fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
fi
if [ "$sudo" != none ]; then
  if command -v apt-get >/dev/null 2>&1; then
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq graphviz >/dev/null && exit 0
  elif command -v dnf >/dev/null 2>&1; then $sudo dnf install -y graphviz && exit 0
  elif command -v brew >/dev/null 2>&1; then brew install graphviz && exit 0
  fi
fi
echo "graphdiff: Graphviz's 'dot' is missing and could not be installed here." >&2
echo "  Install it with your package manager, e.g. 'sudo apt-get install graphviz' or 'brew install graphviz'." >&2
echo "  Everything except rendering works without it." >&2
exit 0
