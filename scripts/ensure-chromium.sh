#!/usr/bin/env bash
# Install Chromium and its WebDriver (for the HTML page's browser test) when they are missing and
# we may. Never fails: without them the browser test is skipped with the reason.
set -u
have() { command -v "$1" >/dev/null 2>&1; }
browser() { have chromium || have chromium-browser || have google-chrome; }
if browser && have chromedriver; then exit 0; fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if have sudo && sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
fi
if [ "$sudo" != none ] && have apt-get; then
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
      --no-install-recommends chromium chromium-driver >/dev/null; } && exit 0
fi
echo "graphdiff: Chromium and chromedriver are missing and could not be installed here." >&2
echo "  Install them with your package manager (Debian/Ubuntu: apt-get install chromium chromium-driver)" >&2
echo "  to run the HTML page's browser test; everything else works without them." >&2
exit 0
