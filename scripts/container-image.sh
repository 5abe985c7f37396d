#!/usr/bin/env bash
# The transcoder's Container image: build it the way `wrangler deploy` does, and try it.
#
#   scripts/container-image.sh build   build transcoder/Dockerfile from the repository root
#   scripts/container-image.sh test    build, then the end-to-end test with the transcoder
#                                      running inside the image (test/e2e/container.test.ts)
#   scripts/container-image.sh bench   build, then `npm run bench:transcode` against the image
#   scripts/container-image.sh size    build, then print the image's size in MB
#
# Where a Docker engine already answers (a deploying machine, with a registry), it is used
# as it is and the base images are pulled as usual. Otherwise (a machine without one, such
# as CI here) the script starts a private dockerd that can never reach a registry:
#   - its own config, data-root, exec-root, pidfile and unix socket;
#   - no bridge network, no iptables, no forwarding or masquerading: containers run with
#     `--network host` only, and no private-range address is ever created;
#   - HTTP(S)_PROXY pointing at a dead loopback port, so a pull fails at once;
# and it makes the base images the Dockerfile names from Debian's packages
# (debootstrap --variant=minbase) and the node@22 npm package, when they are missing.
# Everything it starts it stops, by PID, whatever happens.
#
# Settings: IMAGE (cloudtube-transcoder:local), DOCKER_STATE (/var/tmp/cloudtube-docker: the
# private engine's data, kept between runs so that a second build is warm).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
image="${IMAGE:-cloudtube-transcoder:local}"
state="${DOCKER_STATE:-/var/tmp/cloudtube-docker}"
log() { printf '[container] %s\n' "$*" >&2; }

# The base images transcoder/Dockerfile names (keep in step with its FROM lines).
debian_base="debian:bookworm-slim"
node_base="node:22-bookworm-slim"

dockerd_pid=""
private_engine=false

stop_engine() {
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    log "stopping the private dockerd (pid $dockerd_pid)"
    kill -TERM "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$dockerd_pid" 2>/dev/null || true
  fi
  dockerd_pid=""
  # dockerd leaves its default network namespace mounted under the exec-root.
  if mountpoint -q "$state/exec/netns/default" 2>/dev/null; then umount "$state/exec/netns/default" || true; fi
  rm -rf "$state/exec" "$state/run"
}

start_private_engine() {
  command -v dockerd >/dev/null || { log "no Docker engine answers and dockerd is not installed (apt: docker.io)"; exit 3; }
  [ "$(id -u)" = 0 ] || { log "starting a private dockerd needs root"; exit 3; }
  mkdir -p "$state/data" "$state/exec" "$state/run"
  cat >"$state/daemon.json" <<EOF
{
  "data-root": "$state/data",
  "exec-root": "$state/exec",
  "pidfile": "$state/run/dockerd.pid",
  "hosts": ["unix://$state/run/docker.sock"],
  "bridge": "none",
  "iptables": false,
  "ip-forward": false,
  "ip-masq": false,
  "features": { "buildkit": false }
}
EOF
  trap stop_engine EXIT
  trap 'exit 130' INT TERM
  # No registry, ever: pulls go to a port where nothing listens.
  HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= \
    dockerd --config-file "$state/daemon.json" >"$state/dockerd.log" 2>&1 &
  dockerd_pid=$!
  export DOCKER_HOST="unix://$state/run/docker.sock"
  for _ in $(seq 1 120); do
    if docker info >/dev/null 2>&1; then
      private_engine=true
      log "private dockerd up (pid $dockerd_pid, $DOCKER_HOST)"
      return
    fi
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.5
  done
  log "the private dockerd did not start; its log:"
  tail -n 30 "$state/dockerd.log" >&2
  exit 3
}

ensure_engine() {
  command -v docker >/dev/null || { log "no docker client (apt: docker.io)"; exit 3; }
  if docker info >/dev/null 2>&1; then
    log "using the running Docker engine"
  else
    start_private_engine
  fi
}

# A Debian bookworm root filesystem from the mirror apt uses here, trimmed like the
# official slim image (no docs, man pages, locales or package lists).
make_rootfs() {
  local dir="$1" mirror
  mirror="$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -v security | head -n1 | awk '{print $2}' || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  log "debootstrap bookworm (minbase) from $mirror"
  debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$state/debootstrap.log" 2>&1 ||
    { tail -n 20 "$state/debootstrap.log" >&2; exit 4; }
  # The same sources as the official image: main, updates and security.
  rm -f "$dir/etc/apt/sources.list"
  cat >"$dir/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # As the official slim image does: no docs, man pages or translations, now or when a
  # Dockerfile installs packages later.
  cat >"$dir/etc/dpkg/dpkg.cfg.d/docker-slim" <<EOF
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
  find "$dir/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb \
    "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/* "$dir"/var/log/*.log
}

import_rootfs() {
  local dir="$1" tag="$2"
  shift 2
  tar --numeric-owner -C "$dir" -c . | docker import "$@" - "$tag" >/dev/null
  log "made $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
}

# Stand-ins for the two base images, made only on a private engine (no registry).
ensure_bases() {
  $private_engine || return 0
  docker image inspect "$debian_base" >/dev/null 2>&1 && docker image inspect "$node_base" >/dev/null 2>&1 && return 0
  command -v debootstrap >/dev/null || { log "debootstrap is needed to make the base images (apt: debootstrap)"; exit 3; }
  local tmp
  tmp="$(mktemp -d "$state/rootfs.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'; stop_engine" EXIT
  make_rootfs "$tmp/rootfs"
  if ! docker image inspect "$debian_base" >/dev/null 2>&1; then
    import_rootfs "$tmp/rootfs" "$debian_base" --change 'CMD ["bash"]'
  fi
  if ! docker image inspect "$node_base" >/dev/null 2>&1; then
    # Node from the node@22 devDependency (the official image's binary is stripped too),
    # npm from the npm registry, as in the official node image.
    local node_bin npm_version
    node_bin="$(readlink -f "$root/node_modules/node/bin/node")"
    [ -x "$node_bin" ] || { log "run npm ci first: node_modules/node is missing"; exit 3; }
    install -m 0755 "$node_bin" "$tmp/rootfs/usr/local/bin/node"
    strip --strip-debug "$tmp/rootfs/usr/local/bin/node" 2>/dev/null || true
    npm_version="10.9.4"
    (cd "$tmp" && npm pack --silent "npm@$npm_version" >/dev/null)
    mkdir -p "$tmp/rootfs/usr/local/lib/node_modules/npm"
    tar -xzf "$tmp/npm-$npm_version.tgz" -C "$tmp/rootfs/usr/local/lib/node_modules/npm" --strip-components=1
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tmp/rootfs/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$tmp/rootfs/usr/local/bin/npx"
    local ca_env=()
    # This machine's TLS to the npm registry is signed by its own CAs.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
      cat /usr/local/share/ca-certificates/*.crt >"$tmp/rootfs/usr/local/share/extra-ca.pem"
      ca_env=(--change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca.pem")
    fi
    import_rootfs "$tmp/rootfs" "$node_base" --change 'CMD ["node"]' --change "ENV NODE_VERSION=$("$node_bin" -v | tr -d v)" \
      "${ca_env[@]}"
  fi
  rm -rf "$tmp"
  trap stop_engine EXIT
}

build() {
  local began=$SECONDS
  ensure_engine
  ensure_bases
  log "building $image from transcoder/Dockerfile (context: the repository root)"
  local started=$SECONDS
  # Host networking only: the build's RUN steps reach apt and npm as this machine does.
  DOCKER_BUILDKIT=0 docker build --network host -f "$root/transcoder/Dockerfile" -t "$image" "$root" >"$state/build.log" 2>&1 ||
    { tail -n 40 "$state/build.log" >&2; exit 5; }
  log "built $image in $((SECONDS - started)) s ($((SECONDS - began)) s with the engine and base images):" \
    "$(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"
}

mkdir -p "$state"
case "${1:-}" in
  build) build ;;
  size)
    build
    docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f\n", $1/1e6}'
    ;;
  test)
    build
    cd "$root"
    CONTAINER_IMAGE="$image" npx vitest run --project e2e test/e2e/container.test.ts
    ;;
  bench)
    build
    cd "$root"
    CONTAINER_IMAGE="$image" npm run bench:transcode
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
