/**
 * A Kubernetes API server on 127.0.0.1, faithful enough that the real kubectl 1.32 and
 * @kubernetes/client-node manage CronJobs on it as on a cluster (see docs/kubernetes.md).
 * It is a StandIn: `createStandInServer` adds the sandbox control endpoints, faults and the
 * `Date` header on the sandbox clock.
 */
import type http from 'node:http';
import YAML from 'yaml';
import { sendJson, type StandIn, type StandInContext, type StandInRequest } from '../../stand-in-contract.js';
import { CronJobController, KUBERNETES_IMPERFECTIONS, type ControllerOptions } from './controller.js';
import {
  AGGREGATED_CONTENT_TYPE, aggregatedDiscovery, legacyApiVersions, legacyGroupList, legacyResourceList, openApiGroupVersion, openApiIndex, versionInfo,
} from './discovery.js';
import { clone, isPlainObject } from './patch.js';
import { decodeKubernetesProtobuf } from './protobuf.js';
import { apiVersionOf, findResource, NAMESPACES, type JsonObject, type KObject, type ResourceType } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError, badRequest, expired, methodNotAllowed, notFoundPath, statusForCode, unsupportedMediaType, type StatusBody } from './status.js';
import { ObjectStore, patchTypeOf, type PropagationPolicy, type StoreEvent } from './store.js';
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from './table.js';

const COMMA = Buffer.from(',');
const CLOSE_LIST = Buffer.from(']}');

export type KubernetesStandInOptions = ControllerOptions;

interface Route {
  readonly resource: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: 'status';
}

interface Watcher {
  readonly route: Route;
  readonly matches: (o: KObject) => boolean;
  readonly res: http.ServerResponse;
  readonly render: (o: KObject) => unknown;
}

function sendStatus(res: http.ServerResponse, body: StatusBody): void {
  sendJson(res, body.code, body);
}

export class KubernetesStandIn implements StandIn {
  readonly system = 'kubernetes' as const;
  readonly imperfectionKinds = KUBERNETES_IMPERFECTIONS;
  readonly store: ObjectStore;
  readonly controller: CronJobController;
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly ctx: StandInContext, opts: KubernetesStandInOptions = {}) {
    this.store = new ObjectStore(ctx.clock);
    this.controller = new CronJobController(this.store, ctx.clock, ctx.ledger, opts, ctx.imperfections);
    ctx.clock.register(this.controller);
    this.store.subscribe((e) => this.broadcast(e));
  }

  writeFault(res: http.ServerResponse, status: number): void {
    sendStatus(res, statusForCode(status));
  }

  snapshot(): unknown {
    return this.store.snapshot();
  }

  restore(state: unknown): void {
    this.store.restore(state);
    this.controller.rebuild();
  }

  /** Ends every open watch (so the HTTP server can close). */
  close(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  async handle(req: StandInRequest, res: http.ServerResponse): Promise<void> {
    try {
      this.route(req, res);
    } catch (err) {
      if (err instanceof ApiError) return sendStatus(res, err.body);
      throw err;
    }
  }

  private route(req: StandInRequest, res: http.ServerResponse): void {
    const path = req.path.replace(/\/+$/, '') || '/';
    if (req.method === 'GET') {
      switch (path) {
        case '/version':
          return sendJson(res, 200, versionInfo());
        case '/healthz':
        case '/livez':
        case '/readyz':
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end('ok');
          return;
        case '/api':
        case '/apis': {
          const accept = String(req.headers.accept ?? '');
          if (accept.includes('as=APIGroupDiscoveryList')) {
            return sendJson(res, 200, aggregatedDiscovery(path === '/api'), AGGREGATED_CONTENT_TYPE);
          }
          return sendJson(res, 200, path === '/api' ? legacyApiVersions(String(req.headers.host ?? '127.0.0.1')) : legacyGroupList());
        }
        case '/openapi/v3':
          return sendJson(res, 200, openApiIndex());
      }
      if (path.startsWith('/openapi/v3/')) {
        const doc = openApiGroupVersion(path.slice('/openapi/v3/'.length));
        if (doc) return sendJson(res, 200, doc);
        throw notFoundPath();
      }
      const gv = path.match(/^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/);
      if (gv) {
        const list = gv[1] ? legacyResourceList('', 'v1') : legacyResourceList(gv[2]!, gv[3]!);
        if (list) return sendJson(res, 200, list);
        throw notFoundPath();
      }
    }
    const route = parseRoute(path);
    if (!route) throw notFoundPath();
    this.resource(req, res, route);
  }

  private resource(req: StandInRequest, res: http.ServerResponse, route: Route): void {
    const { resource: r, namespace: ns, name } = route;
    const q = req.query;
    const manager = q.get('fieldManager') || defaultManager(req.headers['user-agent']);
    const dryRun = q.getAll('dryRun').includes('All');
    if (q.has('dryRun') && !dryRun) throw badRequest(`unsupported dry run value: ${q.get('dryRun')}`);
    const part = route.subresource === 'status' ? 'status' : 'main';
    switch (req.method) {
      case 'GET': {
        if (name !== undefined) {
          const obj = this.store.mustGet(r, ns, name);
          return this.sendObjects(req, res, r, obj);
        }
        if (q.get('watch') === 'true' || q.get('watch') === '1') return this.watch(req, res, route);
        return this.list(req, res, route);
      }
      case 'POST': {
        if (name !== undefined) throw methodNotAllowed(`the server does not allow this method on the requested resource`);
        if (r.namespaced && ns === undefined) throw methodNotAllowed('the server does not allow this method on the requested resource');
        const created = this.store.create(r, ns, parseCreateBody(req), { manager, dryRun });
        sendJson(res, 201, created);
        break;
      }
      case 'PUT': {
        if (name === undefined) throw methodNotAllowed('the server does not allow this method on the requested resource');
        const updated = this.store.replace(r, ns, name, parseBody(req), part, { manager, dryRun });
        sendJson(res, 200, updated);
        break;
      }
      case 'PATCH': {
        if (name === undefined) throw methodNotAllowed('the server does not allow this method on the requested resource');
        const type = patchTypeOf(req.headers['content-type']);
        if (type === 'apply' && !q.get('fieldManager')) {
          throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
        }
        const body = type === 'apply' ? parseYaml(req.body) : parseBody(req);
        const force = q.get('force') === 'true';
        const { object, created } = this.store.patch(r, ns, name, type, body, part, { manager, dryRun, force });
        sendJson(res, created ? 201 : 200, object);
        break;
      }
      case 'DELETE': {
        if (name === undefined) return this.deleteCollection(req, res, route, dryRun);
        const options = req.body.length > 0 ? parseBody(req) : {};
        const opts = isPlainObject(options) ? options : {};
        const policy = (q.get('propagationPolicy') ?? opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : undefined)) as PropagationPolicy | undefined;
        if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
          throw new ApiError({ ...badRequest('').body, code: 422, reason: 'Invalid', message: `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"` });
        }
        const { object, deferred } = this.store.delete(r, ns, name, { propagationPolicy: policy, preconditions: isPlainObject(opts.preconditions) ? opts.preconditions : undefined, dryRun: dryRun || (Array.isArray(opts.dryRun) && opts.dryRun.includes('All')) });
        if (deferred) sendJson(res, 200, object);
        else {
          sendJson(res, 200, {
            kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
            details: { name, ...(r.group ? { group: r.group } : {}), kind: r.plural, uid: object.metadata.uid },
          });
        }
        break;
      }
      default:
        throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
    if (!dryRun) this.controller.fireDue(this.ctx.clock.now());
  }

  private filters(req: StandInRequest): (o: KObject) => boolean {
    const labels = req.query.get('labelSelector');
    const fields = req.query.get('fieldSelector');
    const byLabel = labels ? parseLabelSelector(labels) : () => true;
    const byField = fields ? parseFieldSelector(fields) : () => true;
    return (o) => byLabel(o) && byField(o);
  }

  private list(req: StandInRequest, res: http.ServerResponse, route: Route): void {
    const r = route.resource;
    const match = this.filters(req);
    let items = this.store.list(r, route.namespace).filter(match);
    const meta: JsonObject = { resourceVersion: String(this.store.resourceVersion) };
    const cont = req.query.get('continue');
    if (cont) {
      const after = decodeContinue(cont);
      items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > after);
    }
    const limit = Number(req.query.get('limit') ?? '0');
    if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
      const last = items[limit - 1]!;
      meta.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', start: `${last.metadata.namespace ?? ''}/${last.metadata.name}` })).toString('base64url');
      meta.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
    }
    if (wantsTable(String(req.headers.accept ?? ''))) {
      const { resourceVersion, ...rest } = meta;
      return sendJson(res, 200, toTable(r, items, resourceVersion as string, this.ctx.clock.now(), rest), TABLE_CONTENT_TYPE);
    }
    // List items carry no kind/apiVersion on the wire (kubernetes#3030). Built from cached item
    // JSON: a list of 10,000 CronJobs is mostly serialisation.
    const parts: Buffer[] = [Buffer.from(`{"kind":"${r.kind}List","apiVersion":"${apiVersionOf(r)}","metadata":${JSON.stringify(meta)},"items":[`)];
    items.forEach((o, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(this.store.json(o));
    });
    parts.push(CLOSE_LIST);
    const body = Buffer.concat(parts);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  }

  private sendObjects(req: StandInRequest, res: http.ServerResponse, r: ResourceType, obj: KObject): void {
    if (wantsTable(String(req.headers.accept ?? ''))) {
      return sendJson(res, 200, toTable(r, [obj], String(obj.metadata.resourceVersion), this.ctx.clock.now()), TABLE_CONTENT_TYPE);
    }
    sendJson(res, 200, { apiVersion: apiVersionOf(r), kind: r.kind, ...clone(obj) });
  }

  private deleteCollection(req: StandInRequest, res: http.ServerResponse, route: Route, dryRun: boolean): void {
    const r = route.resource;
    const match = this.filters(req);
    const gone: KObject[] = [];
    for (const o of this.store.list(r, route.namespace).filter(match)) {
      if (r === NAMESPACES && o.metadata.name === 'default') continue;
      gone.push(this.store.delete(r, o.metadata.namespace, o.metadata.name, { dryRun }).object);
    }
    sendJson(res, 200, { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(this.store.resourceVersion) }, items: gone });
    if (!dryRun) this.controller.fireDue(this.ctx.clock.now());
  }

  private watch(req: StandInRequest, res: http.ServerResponse, route: Route): void {
    const match = this.filters(req);
    const rvParam = req.query.get('resourceVersion');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    // A client waits for the headers before it reads events; send them before the first event.
    res.flushHeaders();
    // kubectl get -w asks for Tables: each event then carries a one-row Table.
    const asTable = wantsTable(String(req.headers.accept ?? ''));
    const render = (object: KObject): unknown =>
      asTable ? toTable(route.resource, [object], String(object.metadata.resourceVersion), this.ctx.clock.now()) : object;
    const write = (type: string, object: KObject) => res.write(`${JSON.stringify({ type, object: render(object) })}\n`);
    const inScope = (o: KObject) => !route.resource.namespaced || route.namespace === undefined || o.metadata.namespace === route.namespace;
    if (!rvParam || rvParam === '0') {
      for (const o of this.store.list(route.resource, route.namespace).filter(match)) {
        write('ADDED', { apiVersion: apiVersionOf(route.resource), kind: route.resource.kind, ...o });
      }
    } else {
      const from = Number(rvParam);
      if (!Number.isFinite(from) || from < this.store.oldestWatchable) {
        res.write(`${JSON.stringify({ type: 'ERROR', object: expired(`too old resource version: ${rvParam} (${this.store.oldestWatchable})`) })}\n`);
        res.end();
        return;
      }
      for (const e of this.store.eventsSince(from)) {
        if (e.resource === route.resource && inScope(e.object) && match(e.object)) write(e.type, e.object);
      }
    }
    const watcher: Watcher = { route, matches: (o) => inScope(o) && match(o), res, render };
    this.watchers.add(watcher);
    const timeout = Number(req.query.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    timer?.unref();
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }

  private broadcast(e: StoreEvent): void {
    for (const w of this.watchers) {
      if (w.route.resource !== e.resource) continue;
      if (w.route.name !== undefined && e.object.metadata.name !== w.route.name) continue;
      if (!w.matches(e.object)) continue;
      w.res.write(`${JSON.stringify({ type: e.type, object: w.render(e.object) })}\n`);
    }
  }
}

function parseRoute(path: string): Route | undefined {
  const segs = path.split('/').filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, sub, ...extra] = rest;
  if (extra.length > 0 || plural === undefined) return undefined;
  const resource = findResource(group, version, plural);
  if (!resource) return undefined;
  if (!resource.namespaced && namespace !== undefined) return undefined;
  if (sub !== undefined && !(sub === 'status' && resource.hasStatus)) return undefined;
  return { resource, namespace, name, subresource: sub === 'status' ? 'status' : undefined };
}

/** A create may also come as protobuf: kubectl sends the objects it builds itself that way. */
function parseCreateBody(req: StandInRequest): unknown {
  const ct = String(req.headers['content-type'] ?? '');
  if (ct.startsWith('application/vnd.kubernetes.protobuf')) return decodeKubernetesProtobuf(req.body);
  return parseBody(req);
}

function parseBody(req: StandInRequest): unknown {
  const text = req.body.toString('utf8');
  const ct = String(req.headers['content-type'] ?? '');
  if (ct.includes('protobuf') || ct.includes('cbor')) {
    throw new ApiError({
      ...unsupportedMediaType(ct).body,
      message: `the sandbox API server accepts JSON and YAML here, not ${ct} (it decodes protobuf only to create a batch/v1 Job, as kubectl create job --from sends): write the object to a file and use kubectl create -f`,
    });
  }
  if (ct.includes('yaml')) return parseYaml(req.body);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseYaml(body: Buffer): unknown {
  try {
    return YAML.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`error decoding YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

function decodeContinue(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    if (typeof parsed.start === 'string') return parsed.start;
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** The apiserver names an unnamed manager after the client's User-Agent, up to the first `/`. */
function defaultManager(userAgent: string | string[] | undefined): string {
  const ua = Array.isArray(userAgent) ? userAgent[0] : userAgent;
  return (ua ?? 'unknown').split('/')[0]!.slice(0, 128) || 'unknown';
}

