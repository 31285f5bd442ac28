import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gateway, GatewayClass, HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { CHART, ROOT, find, helm, render, type K8sObject } from '@memo/testing/helm';

/**
 * The local cluster's two ways in (README, "Local: kind and skaffold"): ingress-nginx pinned to
 * its last release, and the Gateway API (Envoy Gateway) with skaffold's `gateway` profile. No
 * kind cluster runs here; what can be held without one is: the script parses and pins its
 * versions, k8s/gateway.yaml validates against the Gateway API schemas, and its names are the
 * ones the chart's HTTPRoute, its NetworkPolicies and skaffold's port-forward use.
 */

const SETUP = join(ROOT, 'k8s/setup-kind.sh');
const script = readFileSync(SETUP, 'utf8');
const gatewayObjects = parseAllDocuments(readFileSync(join(ROOT, 'k8s/gateway.yaml'), 'utf8')).map(
  (d) => d.toJSON() as K8sObject & { metadata: { namespace?: string } },
);
const of = (kind: string): K8sObject & { metadata: { namespace?: string }; spec: Record<string, unknown> } => {
  const found = gatewayObjects.find((o) => o.kind === kind);
  if (!found) throw new Error(`k8s/gateway.yaml has no ${kind}`);
  return found as K8sObject & { metadata: { namespace?: string }; spec: Record<string, unknown> };
};

interface Patch {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}
interface Skaffold {
  deploy: { helm: { releases: { namespace: string; valuesFiles: string[] }[] } };
  portForward?: { resourceType: string; resourceName: string; namespace: string; port: number; localPort: number }[];
  profiles: { name: string; patches: Patch[] }[];
}

/** skaffold's profile patches (JSON Patch, RFC 6902: add, replace, remove) applied to a copy. */
function withProfile(config: Skaffold, name: string): Skaffold {
  const out = structuredClone(config) as unknown as Record<string, unknown>;
  const profile = config.profiles.find((p) => p.name === name);
  if (!profile) throw new Error(`no profile ${name}`);
  for (const patch of profile.patches) {
    const parts = patch.path.split('/').slice(1);
    const last = parts.pop() ?? '';
    let node = out as Record<string, unknown> | unknown[];
    for (const part of parts) node = (node as Record<string, unknown>)[part] as Record<string, unknown>;
    if (Array.isArray(node)) {
      const at = last === '-' ? node.length : Number(last);
      if (patch.op === 'add') node.splice(at, 0, patch.value);
      else if (patch.op === 'replace') node[at] = patch.value;
      else node.splice(at, 1);
    } else if (patch.op === 'remove') {
      Reflect.deleteProperty(node, last);
    } else {
      node[last] = patch.value;
    }
  }
  return out as unknown as Skaffold;
}

describe('the local kind cluster', () => {
  it('has a setup script that parses and pins both ways in, no "latest"', () => {
    expect(spawnSync('bash', ['-n', SETUP]).status).toBe(0);
    expect(script).toContain('INGRESS_NGINX_VERSION=${INGRESS_NGINX_VERSION:-controller-v1.15.1}');
    expect(script).toMatch(/ENVOY_GATEWAY_VERSION=\$\{ENVOY_GATEWAY_VERSION:-v\d+\.\d+\.\d+\}/);
    expect(script).not.toMatch(/latest/);
    expect(spawnSync('bash', [SETUP, '--bogus']).status).toBe(2);
  });

  it('offers the Gateway API: a Gateway the chart’s HTTPRoute attaches to, reached by skaffold -p gateway', () => {
    for (const object of gatewayObjects.filter((o) => o.apiVersion.startsWith('gateway.networking.k8s.io/'))) {
      const Model = { Gateway, GatewayClass }[object.kind as 'Gateway' | 'GatewayClass'];
      new Model(object as never).validate();
    }
    const gateway = of('Gateway');
    const gatewayClass = of('GatewayClass');
    const proxy = of('EnvoyProxy');
    expect(gateway.spec.gatewayClassName).toBe(gatewayClass.metadata.name);
    expect(gatewayClass.spec.controllerName).toBe('gateway.envoyproxy.io/gatewayclass-controller');
    expect(gatewayClass.spec.parametersRef).toMatchObject({
      kind: 'EnvoyProxy',
      name: proxy.metadata.name,
      namespace: proxy.metadata.namespace,
    });

    // The chart with the kind and gateway overlays: an HTTPRoute on that Gateway, no Ingress,
    // and only Envoy Gateway's proxies let in.
    const overlays = ['-f', `${CHART}/values-kind.yaml`, '-f', `${CHART}/values-kind-gateway.yaml`];
    const lint = helm(['lint', '--strict', CHART, ...overlays]);
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    const objects = render(overlays);
    expect(objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
    const route = find(objects, 'HTTPRoute', 'memo');
    new HTTPRoute(route as never).validate();
    const skaffold = parse(readFileSync(join(ROOT, 'skaffold.yaml'), 'utf8')) as Skaffold;
    const release = skaffold.deploy.helm.releases[0];
    expect((route.spec as { parentRefs: { name: string }[] }).parentRefs).toEqual([{ name: gateway.metadata.name }]);
    expect(gateway.metadata.namespace).toBe(release?.namespace);
    const policies = JSON.stringify(objects.filter((o) => o.kind === 'NetworkPolicy'));
    expect(policies).toContain('"kubernetes.io/metadata.name":"envoy-gateway-system"');
    expect(policies).not.toContain('ingress-nginx');

    // skaffold dev -p gateway: the overlay added, localhost:8080 forwarded to the proxy's Service.
    const profiled = withProfile(skaffold, 'gateway');
    expect(profiled.deploy.helm.releases[0]?.valuesFiles).toEqual([
      'helm/memo/values-kind.yaml',
      'helm/memo/values-kind-gateway.yaml',
    ]);
    const service = (proxy.spec as { provider: { kubernetes: { envoyService: { name: string } } } }).provider.kubernetes
      .envoyService.name;
    expect(profiled.portForward).toEqual([
      {
        resourceType: 'service',
        resourceName: service,
        namespace: proxy.metadata.namespace,
        port: 80,
        localPort: 8080,
      },
    ]);
    // The default profile is untouched: ingress-nginx's controller.
    expect(skaffold.portForward?.[0]?.resourceName).toBe('ingress-nginx-controller');
  });
});
