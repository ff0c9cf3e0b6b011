#!/bin/bash
# `make test-debian13`: run `make test` and `make demo` natively on Debian 13 (trixie: QGIS 3.40,
# Python 3.13, GDAL 3.10, numpy 2.2) from a Debian 12 host, in a debootstrapped root under build/.
#
#   scripts/debian13.sh [make targets...]     (default: test demo)
#   scripts/debian13.sh --run 'command'       one shell command in /src inside the root instead
#
# The root is built once (stamps under it make re-runs quick and idempotent): debootstrap, then the
# host's apt set-up (sources adapted to trixie, local apt.conf.d files), its CA certificates and its pip
# configuration are copied in before the first apt-get, so the root reaches the network the way the
# host does. The repository is copied to /src in the root (its own .venv and build/ are kept there
# between runs). /proc, /sys, /dev, /dev/pts, /dev/shm, /tmp and the host's local wheel folders are
# mounted only while the targets run, and a trap unmounts them on any exit.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOTFS=${DEBIAN13_ROOT:-$REPO/build/debian13-root}
SUITE=trixie
RUN=""
if [ "${1:-}" = --run ]; then
	RUN=${2:?--run needs a command}
	set --
fi
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(test demo)
STAMPS=$ROOTFS/var/lib/community-grids

log() { printf '[debian13] %s\n' "$*"; }
die() {
	printf '[debian13] error: %s\n' "$*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot and mount need it)"

# ---------------------------------------------------------------- mounts (always undone by the trap)
MOUNTED=()
mount_in() { # mount_in <target inside root> <mount args...>
	local target=$ROOTFS$1
	shift
	mkdir -p "$target"
	mount "$@" "$target"
	MOUNTED+=("$target")
}
unmount_all() {
	local i target
	for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
		target=${MOUNTED[$i]}
		if findmnt -rn --mountpoint "$target" >/dev/null; then
			umount "$target" 2>/dev/null || umount -l "$target" || log "could not unmount $target"
		fi
	done
	MOUNTED=()
	# Nothing of ours may stay mounted under the root.
	if findmnt -rn -o TARGET | grep -q "^$ROOTFS/"; then
		log "still mounted under $ROOTFS:"
		findmnt -rn -o TARGET | grep "^$ROOTFS/" >&2
		return 1
	fi
}
trap 'unmount_all' EXIT
trap 'exit 130' INT TERM

# A root left with active mounts by a killed run is never touched (nor deleted) until they are gone.
if findmnt -rn -o TARGET | grep -q "^$ROOTFS/"; then
	die "mounts are still active under $ROOTFS (findmnt | grep $ROOTFS); unmount them first"
fi

# ---------------------------------------------------------------- host set-up read once
command -v debootstrap >/dev/null || {
	log "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
}

HOST_CODENAME=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

# The host's enabled apt sources (deb822 *.sources and one-line *.list / sources.list).
host_source_files() {
	[ -f /etc/apt/sources.list ] && echo /etc/apt/sources.list
	ls /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null || true
}

# The mirror of the host's main archive: the first URI serving the host's own codename, not -security.
host_mirror() {
	local f
	for f in $(host_source_files); do
		case $f in
		*.sources)
			awk -v code="$HOST_CODENAME" '
				BEGIN { RS = ""; FS = "\n" }
				{ uri = ""; ok = 0
				  for (i = 1; i <= NF; i++) {
				    if ($i ~ /^URIs:/) { split(substr($i, 6), u, " "); uri = u[1] }
				    if ($i ~ /^Suites:/) { n = split(substr($i, 8), s, " ");
				      for (j = 1; j <= n; j++) if (s[j] == code) ok = 1 }
				    if ($i ~ /^Enabled: *no/) ok = 0 }
				  if (ok && uri != "") { print uri; exit } }' "$f"
			;;
		*)
			awk -v code="$HOST_CODENAME" '$1 == "deb" {
				for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) break
				if ($(i + 1) == code) { print $i; exit } }' "$f"
			;;
		esac
	done | head -n 1
}

# The host's Debian sources rewritten for trixie (other suites dropped: they are the host's third parties).
adapted_sources() {
	local f
	for f in $(host_source_files); do
		case $f in
		*.sources)
			awk -v code="$HOST_CODENAME" -v new="$SUITE" '
				BEGIN { RS = ""; FS = "\n"; ORS = "\n\n" }
				{ keep = 0; out = ""
				  for (i = 1; i <= NF; i++) {
				    line = $i
				    if (line ~ /^Suites:/) {
				      n = split(substr(line, 8), s, " "); line = "Suites:"
				      for (j = 1; j <= n; j++) if (index(s[j], code) == 1) {
				        keep = 1; line = line " " new substr(s[j], length(code) + 1) } }
				    out = out line "\n" }
				  if (keep) printf "%s\n", out }' "$f"
			;;
		*)
			awk -v code="$HOST_CODENAME" -v new="$SUITE" '$1 == "deb" {
				for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) break
				if (index($(i + 1), code) != 1) next
				suite = $(i + 1); $(i + 1) = new substr(suite, length(code) + 1)
				out = "Types: deb\nURIs: " $i "\nSuites: " $(i + 1) "\nComponents:"
				for (k = i + 2; k <= NF; k++) out = out " " $k
				print out "\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n" }' "$f"
			;;
		esac
	done
}

# pip's configuration files on the host (`pip config debug` lists where pip looks).
pip_config_files() {
	local f
	for f in /etc/pip.conf /etc/xdg/pip/pip.conf "$HOME/.config/pip/pip.conf" "$HOME/.pip/pip.conf" \
		"${PIP_CONFIG_FILE:-}"; do
		[ -n "$f" ] && [ -f "$f" ] && echo "$f"
	done
}

# pip's set-up on the host: config files, and the local folders (find-links, file:// indexes) they name.
pip_local_dirs() {
	{
		printf '%s\n' "${PIP_FIND_LINKS:-}" "${PIP_EXTRA_INDEX_URL:-}" "${PIP_INDEX_URL:-}"
		cat $(pip_config_files) 2>/dev/null | sed -n 's/^[[:space:]]*\(find-links\|find_links\|extra-index-url\|extra_index_url\|index-url\|index_url\)[[:space:]]*=//p'
	} | tr ' ' '\n' | sed -n 's#^file://##p; s#^\(/[^[:space:]]*\)$#\1#p' | while read -r d; do
		d=${d%/}
		[ -n "$d" ] || continue
		# a file:// simple index: mount the folder that holds "simple"
		case $d in */simple) d=${d%/simple} ;; esac
		[ -d "$d" ] && echo "$d"
	done | sort -u
}

# ---------------------------------------------------------------- 1. debootstrap (once)
if [ ! -f "$STAMPS/bootstrap" ]; then
	MIRROR=$(host_mirror)
	[ -n "$MIRROR" ] || die "no Debian mirror for $HOST_CODENAME in the host's apt sources"
	if [ -e "$ROOTFS" ]; then
		log "removing an unfinished root $ROOTFS"
		rm -rf --one-file-system "$ROOTFS"
	fi
	mkdir -p "$(dirname "$ROOTFS")"
	log "debootstrap --variant=minbase $SUITE $ROOTFS $MIRROR"
	debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$(dirname "$ROOTFS")/debian13-debootstrap.log" 2>&1 ||
		die "debootstrap failed: see $(dirname "$ROOTFS")/debian13-debootstrap.log"
	mkdir -p "$STAMPS"
	touch "$STAMPS/bootstrap"
fi

# ---------------------------------------------------------------- 2. host network set-up (every run: cheap)
# apt: sources adapted to trixie, and the host's local apt.conf.d files (those no package owns: proxy,
# mirror and farm settings), then CA certificates (bundle and local CAs) and DNS.
sources=$(adapted_sources)
[ -n "$sources" ] || die "no Debian source of the host could be adapted to $SUITE"
rm -f "$ROOTFS/etc/apt/sources.list"
printf '%s' "$sources" >"$ROOTFS/etc/apt/sources.list.d/debian.sources"
for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
	[ -f "$f" ] || continue
	dpkg -S "$f" >/dev/null 2>&1 && continue # a package's own conffile (packagekit, appstream...)
	cp -f "$f" "$ROOTFS$f"
done
mkdir -p "$ROOTFS/etc/ssl/certs" "$ROOTFS/usr/local/share/ca-certificates"
cp -f /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
cp -rf /usr/local/share/ca-certificates/. "$ROOTFS/usr/local/share/ca-certificates/" 2>/dev/null || true
cp -fL /etc/resolv.conf "$ROOTFS/etc/resolv.conf" 2>/dev/null || true
cp -f /etc/hosts "$ROOTFS/etc/hosts"
# pip: the same configuration files as the host (indexes, certificate, constraints); the user's files
# become root's in the root (the targets run as root there).
rm -rf "$ROOTFS/etc/xdg/pip" "$ROOTFS/root/.config/pip" "$ROOTFS/root/.pip"
[ -d /etc/xdg/pip ] && mkdir -p "$ROOTFS/etc/xdg" && cp -r /etc/xdg/pip "$ROOTFS/etc/xdg/pip"
for f in $(pip_config_files); do
	case $f in
	"$HOME"/*) dest=$ROOTFS/root/${f#"$HOME"/} ;;
	*) dest=$ROOTFS$f ;;
	esac
	mkdir -p "$(dirname "$dest")"
	cp -f "$f" "$dest"
done

# ---------------------------------------------------------------- mounts
mount_in /proc -t proc proc
mount_in /sys -t sysfs sysfs
mount_in /dev --bind /dev
mount --make-private "$ROOTFS/dev" # nothing mounted below it may reach the host's /dev
mount_in /dev/pts --bind /dev/pts
mount_in /dev/shm -t tmpfs -o mode=1777 shm
mount_in /tmp -t tmpfs -o mode=1777 tmp
for d in $(pip_local_dirs); do
	mount_in "$d" --bind "$d"
	mount -o remount,bind,ro "$ROOTFS$d"
done

# The chroot's environment: clean, plus the host's PIP_* settings.
CHROOT_ENV=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
	DEBIAN_FRONTEND=noninteractive TERM=dumb
	# The root shares the host's network: its private PostgreSQL cluster takes a port of its own.
	CG_PG_PORT="${DEBIAN13_PG_PORT:-55433}")
while IFS= read -r var; do CHROOT_ENV+=("$var"); done < <(env | grep '^PIP_' || true)
in_root() { chroot "$ROOTFS" /usr/bin/env -i "${CHROOT_ENV[@]}" "$@"; }

# ---------------------------------------------------------------- 3. basics (once)
if [ ! -f "$STAMPS/basics" ]; then
	log "installing the basics in the root (make, python3, ca-certificates)"
	in_root apt-get update -qq
	in_root apt-get install -y -qq --no-install-recommends make ca-certificates python3 python3-venv \
		procps file >/dev/null
	in_root update-ca-certificates >/dev/null 2>&1 || true
	touch "$STAMPS/basics"
fi

# ---------------------------------------------------------------- 4. the repository, copied to /src
# Tracked and untracked-but-not-ignored files only (the host's .venv and build/ stay out); files the
# working tree no longer has are removed, the root's own venvs (.venv, .venv-*) and build/ are kept.
mkdir -p "$ROOTFS/src"
list=$(mktemp)
(cd "$REPO" && git ls-files -co --exclude-standard -z) >"$list"
(cd "$ROOTFS/src" && find . -path ./.venv -prune -o -path './.venv-*' -prune -o -path ./build -prune -o -type f -print0 |
	sed -z 's#^\./##') | sort -z >"$list.old"
sort -z "$list" | comm -z -23 "$list.old" - | (cd "$ROOTFS/src" && xargs -0r rm -f --)
(cd "$REPO" && tar --null -T "$list" -cf - 2>/dev/null) | (cd "$ROOTFS/src" && tar -xf -)
rm -f "$list" "$list.old"

# ---------------------------------------------------------------- 5. the targets
status=0
if [ -n "$RUN" ]; then
	in_root /bin/bash -c "cd /src && export QT_QPA_PLATFORM=offscreen && $RUN" || status=$?
	TARGETS=()
else
	log "Debian $(cat "$ROOTFS/etc/debian_version"): make ${TARGETS[*]}"
fi
for t in "${TARGETS[@]}"; do
	log "make $t"
	if ! in_root /bin/bash -c "cd /src && make $t"; then
		log "make $t FAILED"
		status=1
	fi
done
# A server left running in the root would outlive its mounts (/dev/shm, /tmp): stop the private cluster.
[ -f "$ROOTFS/src/build/pg/data/postmaster.pid" ] && in_root /bin/bash -c "cd /src && scripts/pg_cluster.sh stop" >/dev/null 2>&1
unmount_all
trap - EXIT
if [ -z "$RUN" ]; then
	[ $status = 0 ] && log "all targets passed on Debian 13" || log "some targets failed on Debian 13"
fi
exit $status
