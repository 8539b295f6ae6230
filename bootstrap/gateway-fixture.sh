#!/usr/bin/env bash
# A real NAT gateway for tests: miniupnpd 2.3.9 (UPnP-IGD, NAT-PMP, PCP) in network namespaces.
#
#   bootstrap/gateway-fixture.sh up   <prefix>   create the topology, start miniupnpd, wait until it listens
#   bootstrap/gateway-fixture.sh down <prefix>   stop miniupnpd, delete the namespaces (and every rule with them)
#   bootstrap/gateway-fixture.sh check           exit 0 if this machine can run the fixture, else print why
#   bootstrap/gateway-fixture.sh up-masq <prefix> the same topology as a plain masquerading NAT: no miniupnpd,
#                                                no port mapping, so nothing outside can open a connection to
#                                                the LAN host (the relay tests); 'down' removes it too
#   bootstrap/gateway-fixture.sh check-masq      exit 0 if this machine can run up-masq (no miniupnpd needed)
#
# Topology (every address exists only inside the namespaces created here; nothing leaves the machine):
#
#   <prefix>-lan: lan-eth0 10.99.0.2/24 <-veth-> <prefix>-gw: gw-lan0 10.99.0.1/24 | wan0 192.0.2.1/24 <-veth-> <prefix>-wan: wan1 192.0.2.2/24
#
# The prefix makes parallel runs independent: namespace names carry it, and the veths are created directly
# inside their namespaces, so their short fixed names never meet in the root namespace.
# State (config, pid file, log) lives in ${GATEWAY_FIXTURE_DIR:-/tmp/p2pnode-gw-<prefix>}.
# See docs/nat.md and shared notes "miniupnpd-gateway.md" for why each setting is there.
set -euo pipefail

usage() { echo "usage: $0 up|up-masq|down <prefix>   |   $0 check|check-masq" >&2; exit 2; }
die() { echo "gateway-fixture: $*" >&2; exit 1; }

# Exit 0 if this machine can run the fixture; otherwise print why and exit 1. Only a missing capability
# counts (not root, no working network namespaces, no miniupnpd): tests skip on it. Anything else that
# breaks 'up' later (e.g. nft missing) is a failure, not a skip.
check() {
  check_netns || return 1
  command -v miniupnpd >/dev/null || [ -x /usr/sbin/miniupnpd ] || { echo "miniupnpd is not installed (bootstrap/setup.sh installs it)"; return 1; }
  return 0
}

# What both topologies need: root and working network namespaces (and nft for the NAT rules).
check_netns() {
  [ "$(id -u)" -eq 0 ] || { echo "not root (network namespaces need root)"; return 1; }
  command -v ip >/dev/null || { echo "iproute2 (ip) is not installed, so 'ip netns' cannot work"; return 1; }
  ip netns list >/dev/null 2>&1 || { echo "'ip netns list' fails here"; return 1; }
  # Creating a namespace is the real test (a container may list them but lack the right to make one).
  if command -v unshare >/dev/null; then
    unshare --net true 2>/dev/null || { echo "network namespaces cannot be created here (unshare --net fails)"; return 1; }
  fi
  return 0
}

[ $# -ge 1 ] || usage
cmd=$1
if [ "$cmd" = check ]; then check; exit $?; fi
if [ "$cmd" = check-masq ]; then check_netns; exit $?; fi
[ $# -eq 2 ] || usage
prefix=$2
[[ "$prefix" =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] || die "prefix must match [a-z0-9][a-z0-9-]{0,30}, got '$prefix'"

gw="$prefix-gw"; lan="$prefix-lan"; wan="$prefix-wan"
dir="${GATEWAY_FIXTURE_DIR:-/tmp/p2pnode-gw-$prefix}"
miniupnpd_bin=$(command -v miniupnpd || echo /usr/sbin/miniupnpd)

down() {
  local pid
  if [ -f "$dir/miniupnpd.pid" ]; then
    pid=$(cat "$dir/miniupnpd.pid" 2>/dev/null || true)
    # Only signal the process if it really is the miniupnpd of this fixture (the pid file may be stale).
    if [ -n "$pid" ] && grep -q "$dir/miniupnpd.conf" "/proc/$pid/cmdline" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      # It sends SSDP byebye notices before exiting (1-3 s); do not wait forever.
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  for ns in "$lan" "$wan" "$gw"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$dir"
}

up() {
  check >/dev/null || die "cannot run here: $(check)"
  command -v nft >/dev/null || die "nft (nftables) is not installed; bootstrap/setup.sh installs it"
  for ns in "$gw" "$lan" "$wan"; do
    ! ip netns list | grep -qw "^$ns" || die "namespace $ns already exists (run '$0 down $prefix' first)"
  done
  trap 'echo "gateway-fixture: up failed, tearing down" >&2; down' ERR
  mkdir -p "$dir"

  ip netns add "$gw"; ip netns add "$lan"; ip netns add "$wan"
  ip -n "$gw" link add gw-lan0 type veth peer name lan-eth0 netns "$lan"
  ip -n "$gw" link add wan0 type veth peer name wan1 netns "$wan"
  ip -n "$lan" addr add 10.99.0.2/24 dev lan-eth0
  ip -n "$gw" addr add 10.99.0.1/24 dev gw-lan0
  ip -n "$gw" addr add 192.0.2.1/24 dev wan0
  ip -n "$wan" addr add 192.0.2.2/24 dev wan1
  for ns in "$gw" "$lan" "$wan"; do ip -n "$ns" link set lo up; done
  ip -n "$lan" link set lan-eth0 up
  ip -n "$gw" link set gw-lan0 up
  ip -n "$gw" link set wan0 up
  ip -n "$wan" link set wan1 up
  ip -n "$lan" route add default via 10.99.0.1
  # SSDP multicast must leave through the LAN veth even if a client forgets IP_MULTICAST_IF.
  ip -n "$lan" route add 239.0.0.0/8 dev lan-eth0
  # Forwarding is per namespace: the host's own setting is untouched.
  ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1

  # The chains miniupnpd's nftables backend adds its rules to (its defaults: table inet filter).
  ip netns exec "$gw" nft -f - <<'NFT'
table inet filter {
  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
}
NFT

  # ext_allow_private_ipv4: 192.0.2.1 is a reserved (documentation) address, which miniupnpd otherwise
  # refuses to map for. secure_mode: a client may only map to its own address (what real routers do).
  cat > "$dir/miniupnpd.conf" <<CONF
ext_ifname=wan0
ext_ip=192.0.2.1
ext_allow_private_ipv4=yes
listening_ip=gw-lan0
http_port=5000
enable_natpmp=yes
enable_upnp=yes
ipv6_disable=yes
secure_mode=yes
system_uptime=no
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b
friendly_name=P2PNode test gateway
allow 1024-65535 10.99.0.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
CONF

  # Above normal priority: on a loaded test machine the gateway must still answer within the clients' budgets.
  ip netns exec "$gw" nice -n -5 "$miniupnpd_bin" -f "$dir/miniupnpd.conf" -d -P "$dir/miniupnpd.pid" > "$dir/miniupnpd.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    grep -q "Listening for NAT-PMP" "$dir/miniupnpd.log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/miniupnpd.log" >&2; false; }
    sleep 0.1
  done
  grep -q "Listening for NAT-PMP" "$dir/miniupnpd.log" || { cat "$dir/miniupnpd.log" >&2; false; }
  # -P writes the pid file itself, but write ours too so 'down' works even if it has not yet.
  [ -s "$dir/miniupnpd.pid" ] || echo "$pid" > "$dir/miniupnpd.pid"
  trap - ERR
  echo "gateway up: lan=$lan gw=$gw wan=$wan gateway=10.99.0.1 external=192.0.2.1 peer=192.0.2.2 log=$dir/miniupnpd.log"
}

# A home router without UPnP: the LAN reaches out (masquerade, replies tracked), nothing from the WAN gets in.
up_masq() {
  check_netns >/dev/null || die "cannot run here: $(check_netns)"
  command -v nft >/dev/null || die "nft (nftables) is not installed; bootstrap/setup.sh installs it"
  for ns in "$gw" "$lan" "$wan"; do
    ! ip netns list | grep -qw "^$ns" || die "namespace $ns already exists (run '$0 down $prefix' first)"
  done
  trap 'echo "gateway-fixture: up-masq failed, tearing down" >&2; down' ERR
  mkdir -p "$dir"
  ip netns add "$gw"; ip netns add "$lan"; ip netns add "$wan"
  ip -n "$gw" link add gw-lan0 type veth peer name lan-eth0 netns "$lan"
  ip -n "$gw" link add wan0 type veth peer name wan1 netns "$wan"
  ip -n "$lan" addr add 10.99.0.2/24 dev lan-eth0
  ip -n "$gw" addr add 10.99.0.1/24 dev gw-lan0
  ip -n "$gw" addr add 192.0.2.1/24 dev wan0
  ip -n "$wan" addr add 192.0.2.2/24 dev wan1
  for ns in "$gw" "$lan" "$wan"; do ip -n "$ns" link set lo up; done
  ip -n "$lan" link set lan-eth0 up
  ip -n "$gw" link set gw-lan0 up
  ip -n "$gw" link set wan0 up
  ip -n "$wan" link set wan1 up
  ip -n "$lan" route add default via 10.99.0.1
  ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
  # Masquerade LAN traffic behind 192.0.2.1; forward only what the LAN started (and its replies). The WAN has
  # no route to 10.99.0.0/24 anyway, and the gateway itself listens on nothing, so no inbound path exists.
  ip netns exec "$gw" nft -f - <<'NFT'
table inet natgw {
  chain forward { type filter hook forward priority 0; policy drop; ct state established,related accept; iifname "gw-lan0" oifname "wan0" accept; }
  chain postrouting { type nat hook postrouting priority 100; policy accept; oifname "wan0" masquerade; }
}
NFT
  trap - ERR
  echo "masquerading gateway up: lan=$lan gw=$gw wan=$wan gateway=10.99.0.1 external=192.0.2.1 peer=192.0.2.2 (no port mapping)"
}

case "$cmd" in
  up) up ;;
  up-masq) up_masq ;;
  down) down; echo "gateway down: $prefix" ;;
  *) usage ;;
esac
