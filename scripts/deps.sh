#!/usr/bin/env bash
# deps.sh - the Debian packages herdlab needs, checked and installed in one place.
#
#   scripts/deps.sh ensure    install only if something is missing (make, make test, make demo)
#   scripts/deps.sh install   install everything now (make deps)
#   scripts/deps.sh list      print the package list
#
# As root it runs one `apt-get update` and one `apt-get install`; otherwise it
# prints the exact command to run and fails.
set -euo pipefail

PACKAGES=(
	build-essential pkg-config git		# the C toolchain
	clang llvm libclang-rt-14-dev clang-format	# BPF compiler, libFuzzer, format-check
	libcmocka-dev				# unit tests
	libjansson-dev				# JSON output
	liburing-dev				# the io_uring model
	libbpf-dev bpftool libelf-dev zlib1g-dev	# the tracer (libbpf CO-RE, skeletons)
	linux-perf				# independent counts to check the tracer against
	curl apache2-utils wrk nginx apache2	# clients, and servers nobody here wrote
	bpftrace				# an independent count of wakeups (their wakers' stacks)
	file					# what a binary is (the kernels test checks busybox is static)
	gnuplot-nox				# report plots
	chromium				# the HTML report checked headless
	procps psmisc iproute2 valgrind time	# ps/pgrep, ss, memcheck, /usr/bin/time
	qemu-system-x86 busybox-static		# herdlab kernels: guest kernels under TCG, their initramfs
	apt dpkg tar xz-utils zstd		# herdlab kernels: fetch and unpack Debian's kernel packages
)

missing() {
	local p
	for p in "${PACKAGES[@]}"; do
		[[ "$p" == \#* ]] && continue
		if ! dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii'; then
			echo "$p"
		fi
	done
}

install() {
	local pkgs=("$@")
	[ ${#pkgs[@]} -gt 0 ] || return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing Debian packages: ${pkgs[*]}" >&2
		echo "deps: run as root:  apt-get update && apt-get install -y --no-install-recommends ${pkgs[*]}" >&2
		exit 1
	fi
	echo "deps: installing ${pkgs[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
	# Debian starts nginx and apache2 on install where it can; herdlab runs its own instances.
	if command -v service >/dev/null 2>&1; then
		service nginx stop >/dev/null 2>&1 || true
		service apache2 stop >/dev/null 2>&1 || true
	fi
}

case "${1:-ensure}" in
ensure) mapfile -t need < <(missing); install "${need[@]}" ;;
install) mapfile -t all < <(printf '%s\n' "${PACKAGES[@]}"); install "${all[@]}" ;;
list) printf '%s\n' "${PACKAGES[@]}" ;;
*) echo "usage: $0 ensure|install|list" >&2; exit 2 ;;
esac
