/** `/version`, discovery (aggregated and legacy) and the minimal OpenAPI v3 kubectl validates with. */
import { apiVersionOf, RESOURCES, resourceVerbs, type ResourceType } from './resources.js';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function versionInfo(): Record<string, string> {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-migrate-sandbox',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-01T00:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

const GROUPS = [...new Set(RESOURCES.filter((r) => r.group !== '').map((r) => r.group))];

function aggregatedResource(r: ResourceType): Record<string, unknown> {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: resourceVerbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    ...(r.hasStatus
      ? { subresources: [{ subresource: 'status', responseKind: { group: r.group, version: r.version, kind: r.kind }, verbs: ['get', 'patch', 'update'] }] }
      : {}),
  };
}

function aggregatedGroup(group: string): Record<string, unknown> {
  const resources = RESOURCES.filter((r) => r.group === group);
  return {
    metadata: group ? { name: group } : {},
    versions: [{ version: 'v1', freshness: 'Current', resources: resources.map(aggregatedResource) }],
  };
}

/** `/api` or `/apis`, aggregated (kubectl asks for it first; two requests instead of five). */
export function aggregatedDiscovery(core: boolean): Record<string, unknown> {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: core ? [aggregatedGroup('')] : GROUPS.map(aggregatedGroup),
  };
}

export function legacyApiVersions(host: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
}

export function legacyGroupList(): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: GROUPS.map((g) => ({
      name: g,
      versions: [{ groupVersion: `${g}/v1`, version: 'v1' }],
      preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' },
    })),
  };
}

export function legacyResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const list: Record<string, unknown>[] = [];
  for (const r of resources) {
    list.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: resourceVerbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    if (r.hasStatus) list.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
  }
  return { kind: 'APIResourceList', ...(group ? { apiVersion: 'v1' } : {}), groupVersion: apiVersionOf(resources[0]!), resources: list };
}

const OPENAPI_HASH = 'migrate-sandbox-1';

function gvPath(r: ResourceType): string {
  return r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
}

/**
 * The OpenAPI v3 index. kubectl's default `--validate=strict` only needs each group version's
 * document to show that the PATCH operation takes `fieldValidation`; it then leaves checking to us.
 */
export function openApiIndex(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES) paths[gvPath(r)] = { serverRelativeURL: `/openapi/v3/${gvPath(r)}?hash=${OPENAPI_HASH}` };
  return { paths };
}

export function openApiGroupVersion(path: string): Record<string, unknown> | undefined {
  const resources = RESOURCES.filter((r) => gvPath(r) === path);
  if (resources.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    const item = r.namespaced ? `/${gvPath(r)}/namespaces/{namespace}/${r.plural}/{name}` : `/${gvPath(r)}/${r.plural}/{name}`;
    paths[item] = {
      patch: {
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes (migrate sandbox)', version: 'v1.32.0' }, paths };
}
