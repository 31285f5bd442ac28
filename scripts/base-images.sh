#!/usr/bin/env bash
# Stand-ins for the base images the Dockerfiles and the chart name, for machines that cannot
# pull from a container registry (offline, or behind a proxy that blocks registries). Each is
# made only when the named image is absent and cannot be pulled, from Debian packages and this
# machine's Node, and tagged with exactly the name the Dockerfiles and the chart use:
#   - the build image (NODE_IMAGE): Debian bookworm (debootstrap, minbase), this machine's node
#     and npm in /usr/local, and the machine's CA bundle with NPM_CONFIG_CAFILE set, so npm
#     works through a TLS-inspecting proxy;
#   - the runtime (RUNTIME_IMAGE), distroless-like: /nodejs/bin/node and its shared libraries,
#     CA certificates, users root and nonroot (65532), no shell, node as the entrypoint;
#   - the chart's Redis-compatible image (REDIS_IMAGE): Valkey when the chart names Valkey,
#     Debian's valkey-server and valkey-cli from bookworm-backports (8.0: older than the chart's
#     8.1, which reads no more than we use), else Debian's redis-server and redis-cli; on
#     bookworm, uid 999, the server as the entrypoint (the chart passes only arguments).
# Needs root (debootstrap, chroot) and a Docker engine. Usage: scripts/base-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_IMAGE=$(sed -n 's/^ARG NODE_IMAGE=//p' Dockerfile)
RUNTIME_IMAGE=$(sed -n 's/^ARG RUNTIME_IMAGE=//p' Dockerfile)
REDIS_IMAGE="$(awk '/^redis:/{r=1} r&&/repository:/{print $2; exit}' helm/memo/values.yaml):$(awk '/^redis:/{r=1} r&&/tag:/{print $2; exit}' helm/memo/values.yaml)"
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

present() { docker image inspect "$1" >/dev/null 2>&1 || timeout 60 docker pull -q "$1" >/dev/null 2>&1; }

bookworm() { # a fresh minimal Debian root file system in $1
  if [ ! -d "$WORK/bookworm" ]; then
    debootstrap --variant=minbase bookworm "$WORK/bookworm" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
      { cat "$WORK/debootstrap.log" >&2; exit 1; }
    rm -rf "$WORK/bookworm/var/cache/apt/archives/"*.deb "$WORK/bookworm/var/lib/apt/lists/"*
  fi
  cp -a "$WORK/bookworm" "$1"
}

import_image() { # root file system, image name, then docker import's --change options
  local root=$1 name=$2
  shift 2
  tar -C "$root" --numeric-owner -c . | docker import "$@" - "$name" >/dev/null
}

node_bin=$(readlink -f "$(command -v node)")
npm_dir=$(dirname "$(dirname "$node_bin")")/lib/node_modules/npm

if present "$NODE_IMAGE"; then
  echo "base-images: $NODE_IMAGE is there"
else
  echo "base-images: making $NODE_IMAGE (debootstrap bookworm + node $(node --version) + npm + CA bundle)"
  root="$WORK/build"
  bookworm "$root"
  install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  install -D -m 0644 "$CA" "$root/etc/ssl/certs/ca-certificates.crt"
  import_image "$root" "$NODE_IMAGE" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_VERSION='"$(node --version | tr -d v)" \
    --change 'ENV NPM_CONFIG_CAFILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]'
fi

if present "$RUNTIME_IMAGE"; then
  echo "base-images: $RUNTIME_IMAGE is there"
else
  echo "base-images: making $RUNTIME_IMAGE (node, its libraries, CA certificates, nonroot; no shell)"
  root="$WORK/runtime"
  install -D -m 0755 "$node_bin" "$root/nodejs/bin/node"
  for lib in $(ldd "$node_bin" | grep -o '/[^ ]*'); do
    install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
  install -D -m 0644 "$CA" "$root/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
  install -d -m 1777 "$root/tmp"
  install -d -m 0700 -o 65532 -g 65532 "$root/home/nonroot"
  import_image "$root" "$RUNTIME_IMAGE" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/nodejs/bin' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'USER 65532' \
    --change 'WORKDIR /home/nonroot' \
    --change 'ENTRYPOINT ["/nodejs/bin/node"]'
fi

if present "$REDIS_IMAGE"; then
  echo "base-images: $REDIS_IMAGE is there"
else
  case "$REDIS_IMAGE" in
  *valkey*) server=valkey-server packages="valkey-server valkey-tools" suite=bookworm-backports ;;
  *) server=redis-server packages=redis-server suite=bookworm ;;
  esac
  echo "base-images: making $REDIS_IMAGE (Debian's $server from $suite, uid 999)"
  root="$WORK/redis"
  bookworm "$root"
  user=${server%-server}
  chroot "$root" /bin/sh -c "groupadd -g 999 $user && useradd -u 999 -g 999 -d /data -s /usr/sbin/nologin $user" >/dev/null
  printf 'deb %s bookworm main\ndeb %s bookworm-backports main\n' "$MIRROR" "$MIRROR" >"$root/etc/apt/sources.list"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t $suite $packages >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*"
  install -d -m 0755 -o 999 -g 999 "$root/data"
  import_image "$root" "$REDIS_IMAGE" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'USER 999' \
    --change 'WORKDIR /data' \
    --change 'EXPOSE 6379' \
    --change "ENTRYPOINT [\"$server\"]"
fi
for name in "$NODE_IMAGE" "$RUNTIME_IMAGE" "$REDIS_IMAGE"; do
  echo "base-images: $name $(docker image inspect --format '{{.Size}}' "$name" | awk '{printf "%.0f MB", $1 / 1e6}')"
done
