#!/usr/bin/env bash
# The installation a new operator gets: `cmake --install` into a throwaway
# root, the installed daemon started from the installed configuration and
# policy with a principals file made as the package's postinst makes it, then
# the .deb CPack builds: its files, conffiles, dependencies and maintainer
# scripts, and its daemon run from the unpacked package.
#   tests/install/install_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d /tmp/rp_install.XXXXXX)
daemon_pid=
cleanup() {
  if [[ -n $daemon_pid ]]; then kill -9 "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "install_test: $*" >&2; exit 1; }
expect_file() { [[ -e $1 ]] || fail "missing after install: ${1#"$work"}"; }

# 1. cmake --install into a throwaway root (the build's prefix must be /usr,
# the default, for the paths below).
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
[[ $prefix == /usr ]] || fail "the build's install prefix is $prefix, not /usr"
DESTDIR=$work/root cmake --install "$build" --strip >/dev/null
root=$work/root/usr
config=$work/root/etc/returnpath/returnpathd.textproto
for f in bin/returnpathd bin/returnctl lib/systemd/system/returnpathd.service \
         share/doc/returnpath/operations.md; do
  expect_file "$root/$f"
done
expect_file "$config"
ls "$root"/share/returnpath/policy/*.textproto >/dev/null || fail "no policy installed"
grep -q '^User=returnpath$' "$root/lib/systemd/system/returnpathd.service" ||
  fail "the unit does not run as the returnpath user"
grep -q '^ProtectSystem=strict$' "$root/lib/systemd/system/returnpathd.service" ||
  fail "the unit is not hardened"
grep -q -- '--config=/etc/returnpath/returnpathd.textproto$' \
  "$root/lib/systemd/system/returnpathd.service" || fail "the unit does not read /etc/returnpath"
grep -q 'policy_dir: "/usr/share/returnpath/policy"' "$config" ||
  fail "the configuration does not name the installed policy"

# 2. The installed daemon starts from the installed configuration (the paths
# it names are the real system's, so the test points them into the root) and
# serves the administrator the postinst makes.
token="rpt_$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')"
digest=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
umask 077
printf 'principal { name: "admin" role: ROLE_ADMIN token_sha256: "%s" }\n' "$digest" \
  >"$work/principals.textproto"
printf '%s\n' "$token" >"$work/admin.token"
"$root/bin/returnpathd" --config="$config" \
  --data_dir="$work/data" --policy_dir="$root/share/returnpath/policy" \
  --principals="$work/principals.textproto" --backup_dir="$work/backups" \
  --listen=127.0.0.1:0 --port_file="$work/port" --metrics_listen=127.0.0.1:0 \
  >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.1; done
[[ -s $work/port ]] || { cat "$work/daemon.log" >&2; fail "the installed daemon did not start"; }
grep -q 'backup_every="24h"' "$work/daemon.log" ||
  fail "the installed configuration was not read: $(head -1 "$work/daemon.log")"
"$root/bin/returnctl" --server "127.0.0.1:$(cat "$work/port")" \
  --token_file "$work/admin.token" admin now >/dev/null ||
  fail "the installed returnctl cannot reach the installed daemon as its administrator"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "the installed daemon did not stop cleanly: $(tail -3 "$work/daemon.log")"
daemon_pid=

# 3. The Debian package.
(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >/dev/null)
deb=$(ls "$work"/pkg/returnpath_*.deb)
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/returnpathd ./usr/bin/returnctl ./usr/lib/systemd/system/returnpathd.service \
         ./etc/returnpath/returnpathd.textproto ./usr/share/returnpath/policy/; do
  grep -q " $f" <<<"$contents" || fail "the package lacks $f"
done
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libgrpc++ libprotobuf passwd; do
  grep -q "$dep" <<<"$depends" || fail "the package does not depend on $dep: $depends"
done
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/returnpath/returnpathd.textproto "$work/control/conffiles" ||
  fail "the configuration is not a conffile"
for script in postinst prerm postrm; do
  [[ -x $work/control/$script ]] || fail "no executable $script"
  sh -n "$work/control/$script" || fail "$script does not parse"
done
dpkg-deb -x "$deb" "$work/unpacked"
"$work/unpacked/usr/bin/returnpathd" --version | grep -q "^returnpathd " ||
  fail "the packaged daemon does not run"
if command -v systemd-analyze >/dev/null; then
  # The unit as packaged, its binary pointed into the unpacked tree.
  sed "s|/usr/bin/returnpathd|$work/unpacked/usr/bin/returnpathd|" \
    "$work/unpacked/usr/lib/systemd/system/returnpathd.service" >"$work/returnpathd.service"
  # It exits 0 on a line it ignores: any word from it is a fault.
  systemd-analyze verify "$work/returnpathd.service" >"$work/verify.log" 2>&1 &&
    [[ ! -s $work/verify.log ]] ||
    { cat "$work/verify.log" >&2; fail "systemd-analyze finds the unit wrong"; }
fi
echo "install_test: installed, started, packaged ($(du -h "$deb" | cut -f1))"
