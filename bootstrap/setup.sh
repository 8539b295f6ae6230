#!/usr/bin/env bash
# Installs the system prerequisites of P2PNode on a Debian/Ubuntu machine: idempotent, and fast (< 5 s)
# when nothing is missing. It never assumes anything was installed by hand; it prints what it installs and
# fails loudly with the reason when it cannot.
#
# What and why:
#   - a libstdc++ providing GLIBCXX_3.4.32 (GCC 13+): TorchSharp 0.107's native part needs it. Debian 12
#     ships GCC 12, so on Debian 12 we add the Debian 13 (trixie) suite pinned at priority 100 (nothing else
#     is upgraded unless asked for with -t trixie) and install libstdc++6 from it.
#   - dataset-fashion-mnist: the training data (no downloads at run time); debian-reference-{en,de,fr,es,it,pt,id,ja}:
#     the same guide in eight languages, the text of the language-model swarm (one language per node).
#   - python3-numpy: the independent reference forward pass that checks exported language models (tests/interop).
#   - python3-noiseprotocol, python3-msgpack, python3-nacl: the independent peer and ledger verifier used by
#     the interoperability tests are written in Python against these.
#   - iproute2, nftables, miniupnpd-nftables (trixie): the NAT gateway fixture in network namespaces.
set -euo pipefail

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: FAILED: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "not root and no sudo: run as root to install system packages"
  SUDO="sudo"
fi

command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH; install the .NET 10 SDK first"
dotnet --list-sdks 2>/dev/null | grep -q '^10\.' || die "the .NET 10 SDK is required (dotnet --list-sdks shows none)"

have_glibcxx() {
  local lib
  for lib in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/aarch64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6; do
    [ -e "$lib" ] && grep -aq 'GLIBCXX_3\.4\.32' "$lib" && return 0
  done
  return 1
}

pkg_ok() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

. /etc/os-release
codename="${VERSION_CODENAME:-}"

apt_updated=0
apt_update() {
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    $SUDO apt-get update -qq || die "apt-get update failed (is the Debian package registry reachable?)"
    apt_updated=1
  fi
}

# Adds the trixie suite, pinned low, using the same mirror this machine already uses for Debian
# (so no host name is written here).
add_trixie() {
  [ -e /etc/apt/sources.list.d/p2pnode-trixie.sources ] && return 0
  local uri=""
  if [ -e /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -e /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $0 !~ /security/ {for(i=2;i<=NF;i++) if ($i ~ /^(https?|file):/) {print $i; exit}}' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || die "cannot find the Debian mirror in /etc/apt/sources.list(.d) to add the trixie suite"
  say "adding Debian 13 (trixie) suite from $uri, pinned at priority 100"
  $SUDO tee /etc/apt/sources.list.d/p2pnode-trixie.sources >/dev/null <<SRC
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  $SUDO tee /etc/apt/preferences.d/p2pnode-trixie >/dev/null <<PIN
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
  apt_updated=0
}

export DEBIAN_FRONTEND=noninteractive

# 1. libstdc++ with GLIBCXX_3.4.32
need_trixie=0
if ! have_glibcxx; then
  [ "$codename" = "bookworm" ] || die "libstdc++ lacks GLIBCXX_3.4.32 and this is not Debian 12 ($PRETTY_NAME): install GCC 13+'s libstdc++6"
  need_trixie=1
fi
# miniupnpd 2.3.9 (trixie) is the NAT gateway fixture; bookworm's 2.3.1 refuses test mappings.
if ! pkg_ok miniupnpd-nftables || ! dpkg-query -W -f='${Version}' miniupnpd-nftables 2>/dev/null | grep -q '^2\.3\.[4-9]'; then
  [ "$codename" = "bookworm" ] && need_trixie=1
fi

if [ "$need_trixie" -eq 1 ]; then
  add_trixie
fi

if ! have_glibcxx; then
  apt_update
  say "installing libstdc++6 from trixie (TorchSharp needs GLIBCXX_3.4.32)"
  $SUDO apt-get install -y -qq -t trixie libstdc++6 >/dev/null || die "apt-get install -t trixie libstdc++6 failed"
  have_glibcxx || die "libstdc++6 installed but GLIBCXX_3.4.32 still missing"
fi

# 2. Plain packages from the default suite.
missing=()
for p in dataset-fashion-mnist debian-reference-en debian-reference-de debian-reference-fr debian-reference-es \
         debian-reference-it debian-reference-pt debian-reference-id debian-reference-ja \
         python3-noiseprotocol python3-msgpack python3-nacl python3-numpy iproute2 nftables; do
  pkg_ok "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt_update
  say "installing ${missing[*]}"
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi

# 3. miniupnpd 2.3.9 (needs glibc >= 2.38, which the trixie libstdc++6 brought in).
if ! pkg_ok miniupnpd-nftables || ! dpkg-query -W -f='${Version}' miniupnpd-nftables | grep -q '^2\.3\.[4-9]'; then
  apt_update
  say "installing miniupnpd-nftables 2.3.9 (NAT gateway test fixture)"
  release=()
  [ "$codename" = "bookworm" ] && release=(-t trixie)
  # The package asks debconf questions and wants to start a service; neither is needed (the fixture runs
  # its own instance), so answer with defaults and keep the service from starting.
  echo 'exit 101' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null; $SUDO chmod +x /usr/sbin/policy-rc.d
  $SUDO apt-get install -y -qq "${release[@]}" miniupnpd-nftables >/dev/null || { $SUDO rm -f /usr/sbin/policy-rc.d; die "apt-get install miniupnpd-nftables failed"; }
  $SUDO rm -f /usr/sbin/policy-rc.d
fi

[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || \
  die "dataset-fashion-mnist is installed but /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz is missing"
/usr/bin/python3 -c 'import noiseprotocol, msgpack, nacl, numpy' 2>/dev/null || die "/usr/bin/python3 cannot import noiseprotocol, msgpack, nacl and numpy"

say "ok (all prerequisites present)"
