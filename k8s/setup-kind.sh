#!/usr/bin/env bash
# From nothing to a kind cluster ready for `skaffold dev`: the cluster, then ingress-nginx
# pinned to one release (its kind manifest runs the controller on the ingress-ready node).
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=${CLUSTER:-memo}
INGRESS_NGINX_VERSION=${INGRESS_NGINX_VERSION:-controller-v1.12.3}

if ! kind get clusters | grep -qx "$CLUSTER"; then
  kind create cluster --name "$CLUSTER" --config k8s/kind-config.yaml
fi
kubectl config use-context "kind-$CLUSTER"
kubectl apply -f "https://raw.githubusercontent.com/kubernetes/ingress-nginx/${INGRESS_NGINX_VERSION}/deploy/static/provider/kind/deploy.yaml"
kubectl -n ingress-nginx wait --for=condition=Ready pod \
  --selector=app.kubernetes.io/component=controller --timeout=180s
echo "kind cluster '$CLUSTER' is ready: run 'skaffold dev' and open http://localhost:8080/"
