#!/usr/bin/env bash
# Install pdflatex with TikZ and Beamer, and pdftoppm (to look at a compiled page), when they are
# missing and we may. Never fails: without them the TikZ/Beamer compile tests are skipped.
set -u
have() { command -v "$1" >/dev/null 2>&1; }
ready() { have pdflatex && have pdftoppm && have kpsewhich \
          && kpsewhich tikz.sty >/dev/null 2>&1 && kpsewhich beamer.cls >/dev/null 2>&1; }
if ready; then exit 0; fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if have sudo && sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
fi
if [ "$sudo" != none ] && have apt-get; then
  # texlive-latex-base: pdflatex; texlive-pictures: TikZ/PGF; texlive-latex-recommended: Beamer;
  # poppler-utils: pdftoppm.
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
      --no-install-recommends texlive-latex-base texlive-pictures texlive-latex-recommended \
      poppler-utils >/dev/null; } && exit 0
fi
echo "graphdiff: pdflatex with TikZ/Beamer (or pdftoppm) is missing and could not be installed here." >&2
echo "  Install them with your package manager (Debian/Ubuntu: apt-get install texlive-latex-base" >&2
echo "  texlive-pictures texlive-latex-recommended poppler-utils) to compile the TikZ/Beamer tests;" >&2
echo "  graphdiff writes .tex files without them." >&2
exit 0
