#!/usr/bin/env bash
# What a machine needs to run Kokuho locally, checked and (where possible) installed. Written once,
# used by the Makefile (install, up) and by .ci/run.
#   deploy/local/prereqs.sh uv        install uv with pip when it is missing; print its path
#   deploy/local/prereqs.sh uv-path   print uv's path ("uv" when there is none); install nothing
#   deploy/local/prereqs.sh check     name each missing system prerequisite (Java >= 17, Maven,
#                                     PostgreSQL server >= 15, Python >= 3.11, the print fonts
#                                     IPAmj明朝 and IPAex, poppler-utils) and print the one
#                                     command that installs them all; exit 1 when any is missing
#   deploy/local/prereqs.sh ensure    check; when something is missing and this runs as root on
#                                     a machine with apt-get, install it (system), then check
#                                     again. What `make up` runs.
#   deploy/local/prereqs.sh system    install the missing system prerequisites with apt-get (plus
#                                     make and the psql client), as root or with sudo -n
#   deploy/local/prereqs.sh all       uv, then system (what .ci/run runs)
# Messages go to stderr; stdout carries only the uv path (uv, uv-path).
set -euo pipefail
LOG_TAG=prereqs
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export DEBIAN_FRONTEND=noninteractive
MIN_JAVA=17
MIN_PG=15

say() { log "$@" >&2; }

SUDO=()
can_apt() { # apt-get exists and we may run it (root, or password-less sudo)
  command -v apt-get >/dev/null 2>&1 || return 1
  if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
    return 0
  fi
  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || return 1
  SUDO=(sudo -n)
}

apt_updated=0
apt_install() {
  if ((!apt_updated)); then
    "${SUDO[@]+"${SUDO[@]}"}" apt-get update -q >&2
    apt_updated=1
  fi
  say "apt-get install $*"
  "${SUDO[@]+"${SUDO[@]}"}" apt-get install -y -q --no-install-recommends "$@" >&2
}

java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)\(\.\([0-9]*\)\)\{0,1\}.*/\1 \3/p' |
    head -n1 | awk '{ print ($1 == 1 ? $2 : $1) }'
}
has_java() { command -v java >/dev/null 2>&1 && (($(java_major || echo 0) >= MIN_JAVA)); }
has_maven() { command -v mvn >/dev/null 2>&1; }
has_pg_server() { # where deploy/local/postgres.sh looks for it (lib.sh find_pg_bin)
  local bin
  bin=$(find_pg_bin) && (($(pg_major "$bin") >= MIN_PG))
}
has_python() {
  command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'
}

has_font() { # where kokuho.platform.documents.fonts looks: KOKUHO_FONT_DIR, Debian, macOS
  local name=${1##*/} d
  for d in ${KOKUHO_FONT_DIR:+${KOKUHO_FONT_DIR//:/ }} "/usr/share/fonts/truetype/${1%/*}" \
    "/usr/share/fonts/opentype/${1%/*}" /Library/Fonts "$HOME/Library/Fonts"; do
    [[ -f $d/$name ]] && return 0
  done
  return 1
}

# jdk_package: the first JDK >= 17 package apt knows (Debian 13 has no 17); 17 when it cannot tell.
jdk_package() {
  local p
  for p in openjdk-17-jdk-headless openjdk-21-jdk-headless openjdk-25-jdk-headless; do
    if apt-cache show "$p" >/dev/null 2>&1; then
      echo "$p"
      return 0
    fi
  done
  echo openjdk-17-jdk-headless
}

# missing: one line per missing system prerequisite: "<what>|<apt package>|<brew formula>".
missing() {
  local jdk=openjdk-17-jdk-headless
  command -v apt-cache >/dev/null 2>&1 && jdk=$(jdk_package)
  if ! has_java; then
    local found=""
    command -v java >/dev/null 2>&1 && found=" (found $(java_major || echo '?'))"
    echo "Java >= $MIN_JAVA$found|$jdk|openjdk@17"
  fi
  has_maven || echo "Maven (mvn), which fetches the Kafka jars|maven|maven"
  if ! has_pg_server; then
    local bin found=""
    bin=$(find_pg_bin) && found=" (found $(pg_major "$bin") in $bin)"
    echo "PostgreSQL server >= $MIN_PG (initdb, pg_ctl, postgres; or set PG_BIN)$found|postgresql|postgresql@16"
  fi
  has_python || echo "Python >= 3.11 (python3; Debian 12 and Ubuntu 24.04 ship it)|python3|python@3.11"
  # the print fonts of kokuho.platform.documents (ADR 0008) and the tools its tests read PDFs with
  local font file apt brew
  for font in ipamj/ipamjm.ttf:fonts-ipamj-mincho:font-ipamjm \
    ipaexfont-mincho/ipaexm.ttf:fonts-ipaexfont-mincho:font-ipaexfont \
    ipaexfont-gothic/ipaexg.ttf:fonts-ipaexfont-gothic:font-ipaexfont; do
    IFS=: read -r file apt brew <<<"$font"
    has_font "$file" || echo "print font ${file##*/} (documents)|$apt|$brew"
  done
  command -v pdftotext >/dev/null 2>&1 || echo "poppler (pdftotext, pdffonts, pdftoppm)|poppler-utils|poppler"
  return 0
}

check() {
  local lines what apt brew
  local -a apts=() brews=()
  lines=$(missing)
  [[ -z $lines ]] && return 0
  while IFS='|' read -r what apt brew; do
    say "missing prerequisite: $what"
    apts+=("$apt")
    brews+=("$brew")
  done <<<"$lines"
  if [[ $(uname -s) == Darwin ]]; then
    say "install them all with:  brew install ${brews[*]}"
  else
    local sudo="sudo "
    [[ $(id -u) -eq 0 ]] && sudo=""
    say "install them all with:  ${sudo}apt-get update && ${sudo}apt-get install -y ${apts[*]}"
    say "  (macOS: brew install ${brews[*]}; as root with apt-get, make up installs them itself)"
  fi
  return 1
}

system() {
  local lines what apt brew
  local -a pkgs=()
  lines=$(missing)
  if [[ -n $lines ]]; then
    while IFS='|' read -r what apt brew; do
      say "to install: $what"
      pkgs+=("$apt")
    done <<<"$lines"
  fi
  command -v make >/dev/null 2>&1 || pkgs+=(make)
  command -v psql >/dev/null 2>&1 || pkgs+=(postgresql-client)
  ((${#pkgs[@]})) || return 0
  if ! can_apt; then
    say "cannot install ${pkgs[*]} here (needs apt-get, and root or password-less sudo)"
    check
    return 1
  fi
  apt_install "${pkgs[@]}"
  # the JDK name was a guess when apt's package lists were empty before the update
  if ! has_java; then apt_install "$(jdk_package)"; fi
}

ensure() {
  check 2>/dev/null && return 0
  if [[ $(id -u) -eq 0 ]] && can_apt; then
    say "installing the missing prerequisites with apt-get (running as root)"
    system
  fi
  check
}

uv_path() {
  find_uv || echo uv
}

install_uv() {
  if find_uv; then
    return 0
  fi
  say "uv not found; installing it with pip (python3 -m pip install uv)"
  command -v python3 >/dev/null 2>&1 || die "python3 not found: install Python >= 3.11 first"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    can_apt || die "python3 has no pip; install it (Debian/Ubuntu: sudo apt-get install -y python3-pip) or uv itself (https://docs.astral.sh/uv/getting-started/installation/)"
    apt_install python3-pip
  fi
  python3 -m pip install --quiet uv >&2 ||
    python3 -m pip install --quiet --break-system-packages uv >&2 ||
    die "pip could not install uv; install it yourself (https://docs.astral.sh/uv/getting-started/installation/)"
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash >&2 || true; fi
  hash -r
  find_uv || die "pip installed uv but it is neither on PATH nor in the interpreter's scripts directory or ~/.local/bin"
}

case "${1:-}" in
  uv) install_uv ;;
  uv-path) uv_path ;;
  check) check ;;
  ensure) ensure ;;
  system) system ;;
  all)
    install_uv >/dev/null
    system
    ;;
  *)
    echo "usage: $0 uv|uv-path|check|ensure|system|all" >&2
    exit 2
    ;;
esac
