#!/usr/bin/env bash
# A local arm64 base image for `sam local`, for machines that cannot pull AWS's Lambda images
# (public.ecr.aws/lambda/provided:al2023-arm64). It is a minimal Debian bookworm arm64 root file
# system: the functions' `bootstrap` needs only glibc, and SAM adds its own Runtime Interface
# Emulator on top, so any arm64 glibc userland with /bin/sh serves. Built once from Debian's
# mirror with debootstrap and cached; Docker runs it through qemu-user on x86_64.
#
# Run it to build the image (Docker must be running); scripts/test-sam-local.sh sources it for its
# functions, which also install what they need on Debian or Ubuntu as root.
#
#   scripts/sam-local-base-image.sh          prints the image's tag once it exists
#   sam local start-api --invoke-image <tag> --skip-pull-image
#
# Environment: DEBIAN_MIRROR (default: the Debian mirror in apt's sources, else deb.debian.org).

SAM_LOCAL_IMAGE=${SAM_LOCAL_IMAGE:-descope-rust-lambda/lambda-arm64-stand-in:bookworm}
SAM_LOCAL_CACHE=${SAM_LOCAL_CACHE:-.local/sam-local}

sam_local_log() { printf '    %s\n' "$*" >&2; }

# Runs as root directly, else through sudo; CI runs as root with no terminal.
sam_local_as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

sam_local_apt_install() {
    sam_local_log "installing Debian packages: $*"
    sam_local_as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive sam_local_as_root apt-get install -y -qq \
        --no-install-recommends "$@" >/dev/null
}

# Docker's amd64 engines run arm64 images only with a binfmt_misc handler for aarch64 that has
# the F flag (the interpreter is opened when registered, so it also works inside containers);
# Debian's qemu-user-static registers exactly that. Docker Desktop and arm64 hosts need nothing.
sam_local_ensure_arm64_emulation() {
    case "$(uname -m)" in aarch64 | arm64) return 0 ;; esac
    [[ "$(uname -s)" == Linux ]] || return 0
    local binfmt=/proc/sys/fs/binfmt_misc
    if [[ ! -e "$binfmt/register" ]]; then
        sam_local_log "mounting binfmt_misc at $binfmt"
        sam_local_as_root mount -t binfmt_misc binfmt_misc "$binfmt"
    fi
    if [[ ! -e "$binfmt/qemu-aarch64" ]]; then
        if ! command -v update-binfmts >/dev/null ||
            [[ ! -e /usr/libexec/qemu-binfmt/aarch64-binfmt-P ]]; then
            sam_local_apt_install qemu-user-static binfmt-support
        fi
        sam_local_as_root update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
    fi
    grep -qx enabled "$binfmt/qemu-aarch64" 2>/dev/null || {
        echo "error: no enabled arm64 emulation in $binfmt (install qemu-user-static and binfmt-support)" >&2
        return 1
    }
    grep -q '^flags: .*F' "$binfmt/qemu-aarch64" || {
        echo "error: $binfmt/qemu-aarch64 lacks the F flag, so containers cannot use it" >&2
        return 1
    }
}

# The first Debian archive in apt's sources (never the security archive), so debootstrap uses the
# mirror this machine is configured for.
sam_local_debian_mirror() {
    if [[ -n "${DEBIAN_MIRROR:-}" ]]; then
        echo "$DEBIAN_MIRROR"
        return
    fi
    local mirror
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -v '^[[:space:]]*#' | grep -oE 'https?://[^[:space:]]+/debian/?([[:space:]]|$)' |
        grep -v security | head -n 1 | tr -d '[:space:]' || true)
    echo "${mirror:-http://deb.debian.org/debian}"
}

# Unmounts whatever debootstrap left mounted (its second stage mounts /proc and /sys) before the
# directory is removed, so a failed run cannot take the host's mounts down with it.
sam_local_remove_rootfs_dir() {
    local dir=$1 mount_point
    [[ -d "$dir" ]] || return 0
    while read -r mount_point; do
        if [[ -n "$mount_point" ]]; then
            sam_local_as_root umount -l "$mount_point" 2>/dev/null || true
        fi
    done < <(findmnt -rn -o TARGET | grep -F "$(realpath "$dir")/" | sort -r)
    rm -rf --one-file-system "$dir"
}

sam_local_build_rootfs() {
    local tarball=$1 dir="$1.d" mirror started=$SECONDS
    if ! command -v debootstrap >/dev/null ||
        [[ ! -e /usr/share/keyrings/debian-archive-keyring.gpg ]]; then
        sam_local_apt_install debootstrap debian-archive-keyring
    fi
    mirror=$(sam_local_debian_mirror)
    sam_local_log "debootstrap: Debian bookworm arm64 (minbase) from $mirror"
    sam_local_remove_rootfs_dir "$dir"
    mkdir -p "$dir"
    if ! sam_local_as_root debootstrap --arch=arm64 --variant=minbase bookworm "$dir" "$mirror" \
        >"$dir.log" 2>&1; then
        echo "error: debootstrap failed; last lines of $dir.log:" >&2
        tail -n 30 "$dir.log" >&2
        [[ -f "$dir/debootstrap/debootstrap.log" ]] && tail -n 30 "$dir/debootstrap/debootstrap.log" >&2
        sam_local_remove_rootfs_dir "$dir"
        return 1
    fi
    # The package caches are not needed at run time and would only grow every container.
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    tar --numeric-owner -C "$dir" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    sam_local_remove_rootfs_dir "$dir"
    rm -f "$dir.log"
    sam_local_log "root file system: $tarball ($(du -m "$tarball" | cut -f1) MB, $((SECONDS - started)) s)"
}

# Builds the image unless Docker already has it; the root file system is cached in
# $SAM_LOCAL_CACHE so a pruned Docker rebuilds the image without going back to the mirror.
sam_local_ensure_base_image() {
    if docker image inspect "$SAM_LOCAL_IMAGE" >/dev/null 2>&1; then
        return 0
    fi
    local context="$SAM_LOCAL_CACHE/image" started=$SECONDS
    mkdir -p "$context"
    [[ -f "$context/rootfs.tar" ]] || sam_local_build_rootfs "$context/rootfs.tar"
    printf 'FROM scratch\nADD rootfs.tar /\nCMD ["/bin/sh"]\n' >"$context/Dockerfile"
    sam_local_log "building $SAM_LOCAL_IMAGE"
    # The classic builder labels a FROM scratch image with the platform asked for; BuildKit would
    # need a builder with emulation set up for that.
    DOCKER_BUILDKIT=0 docker build --quiet --platform linux/arm64 -t "$SAM_LOCAL_IMAGE" "$context" \
        >/dev/null 2>"$context/build.log" || {
        echo "error: docker build of $SAM_LOCAL_IMAGE failed:" >&2
        cat "$context/build.log" >&2
        return 1
    }
    local arch
    arch=$(docker image inspect -f '{{.Architecture}}' "$SAM_LOCAL_IMAGE")
    [[ "$arch" == arm64 ]] || {
        echo "error: $SAM_LOCAL_IMAGE is labelled $arch, not arm64" >&2
        return 1
    }
    sam_local_log "built $SAM_LOCAL_IMAGE in $((SECONDS - started)) s"
}

# Proves the emulation end to end: an arm64 binary from the image runs in a container.
sam_local_check_arm64_runs() {
    local machine
    machine=$(docker run --rm --platform linux/arm64 --network none "$SAM_LOCAL_IMAGE" uname -m 2>&1) || {
        echo "error: cannot run $SAM_LOCAL_IMAGE: $machine" >&2
        return 1
    }
    [[ "$machine" == aarch64 ]] || {
        echo "error: $SAM_LOCAL_IMAGE reports machine '$machine', not aarch64" >&2
        return 1
    }
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    cd "$(dirname "$0")/.."
    docker info >/dev/null 2>&1 || {
        echo "error: no Docker daemon answers; start Docker first" >&2
        exit 1
    }
    sam_local_ensure_arm64_emulation
    sam_local_ensure_base_image
    sam_local_check_arm64_runs
    echo "$SAM_LOCAL_IMAGE"
fi
