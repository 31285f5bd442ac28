#!/usr/bin/env bash
# From nothing to a kind cluster ready for `skaffold dev`: the cluster, then the way in.
#   k8s/setup-kind.sh            ingress-nginx, then `skaffold dev`
#   k8s/setup-kind.sh --gateway  Envoy Gateway (Gateway API), then `skaffold dev -p gateway`
# ingress-nginx is retired (kubernetes/ingress-nginx archived in March 2026, no more releases or
# security fixes): it is pinned to its last release, reported as controller-v1.15.1. The Gateway
# API is the way forward (README, "Local: kind and skaffold"); Envoy Gateway is pinned too.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=${CLUSTER:-memo}
INGRESS_NGINX_VERSION=${INGRESS_NGINX_VERSION:-controller-v1.15.1}
ENVOY_GATEWAY_VERSION=${ENVOY_GATEWAY_VERSION:-v1.8.2}
EDGE=ingress-nginx
case "${1:-}" in
'') ;;
--gateway) EDGE=gateway ;;
*)
  echo "usage: $0 [--gateway]" >&2
  exit 2
  ;;
esac

if ! kind get clusters | grep -qx "$CLUSTER"; then
  kind create cluster --name "$CLUSTER" --config k8s/kind-config.yaml
fi
kubectl config use-context "kind-$CLUSTER"

if [ "$EDGE" = ingress-nginx ]; then
  kubectl apply -f "https://raw.githubusercontent.com/kubernetes/ingress-nginx/${INGRESS_NGINX_VERSION}/deploy/static/provider/kind/deploy.yaml"
  kubectl -n ingress-nginx wait --for=condition=Ready pod \
    --selector=app.kubernetes.io/component=controller --timeout=180s
  echo "kind cluster '$CLUSTER' is ready: run 'skaffold dev' and open http://localhost:8080/"
else
  # Envoy Gateway's chart brings the Gateway API CRDs with it.
  node scripts/helm.mjs upgrade --install eg oci://docker.io/envoyproxy/gateway-helm \
    --version "$ENVOY_GATEWAY_VERSION" -n envoy-gateway-system --create-namespace --wait
  kubectl create namespace memo --dry-run=client -o yaml | kubectl apply -f -
  kubectl apply -f k8s/gateway.yaml
  kubectl -n memo wait --for=condition=Programmed gateway/memo-gateway --timeout=180s
  echo "kind cluster '$CLUSTER' is ready: run 'skaffold dev -p gateway' and open http://localhost:8080/"
fi
