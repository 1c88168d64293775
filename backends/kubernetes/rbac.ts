/**
 * The least access an operator of migrate needs in a namespace, as a Role and a RoleBinding to
 * apply (`migrate rbac`): every verb the client sends (client.ts, lease-lock.ts, move-records.ts),
 * on exactly the resources it sends it on, and nothing else. test/kubernetes/rbac.test.ts checks
 * the list against the calls a round of moves, rollbacks, resumes and views makes.
 */
import type { AccessGrant, AccessSubject } from '../../src/core/backend.js';
import { MANAGED_BY_LABEL } from './render.js';

export interface AccessRule {
  /** '' is the core group. */
  readonly apiGroup: string;
  readonly resource: string;
  readonly verbs: readonly string[];
  /** Why migrate needs it, printed beside the rule. */
  readonly why: string;
}

export const ACCESS_RULES: readonly AccessRule[] = [
  {
    apiGroup: 'batch', resource: 'cronjobs', verbs: ['get', 'list', 'create', 'patch', 'delete'],
    why: 'read and list the jobs (status, diff, import); create the target at the handoff; suspend, resume and apply by patch; delete a disabled copy a fresh one replaces',
  },
  { apiGroup: 'batch', resource: 'jobs', verbs: ['list', 'create'], why: 'which slots ran and which runs are in flight; start by hand a slot that passed before the target came up' },
  { apiGroup: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'create', 'update', 'delete'], why: 'the lock of each job: a Lease migrate-lock-<job>' },
  { apiGroup: '', resource: 'configmaps', verbs: ['get', 'list', 'create', 'update'], why: 'the record of moves: a ConfigMap migrate-moves-<job> (docs/journal.md)' },
];

const ROLE_NAME = 'migrate';

const list = (items: readonly string[]) => `[${items.map((i) => (i === '' ? '""' : i)).join(', ')}]`;

/** A Role and a RoleBinding per namespace, as YAML documents. */
export function kubernetesAccess(namespaces: readonly string[], subject: AccessSubject): AccessGrant {
  const documents = [...new Set(namespaces)].sort().flatMap((ns) => [role(ns), binding(ns, subject)]);
  return { manifest: documents.join('---\n'), applyWith: 'kubectl apply -f -' };
}

function role(namespace: string): string {
  const rules = ACCESS_RULES.map((r) => [
    `  # ${r.why}`,
    `  - apiGroups: ${list([r.apiGroup])}`,
    `    resources: ${list([r.resource])}`,
    `    verbs: ${list(r.verbs)}`,
  ].join('\n'));
  return [
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: Role',
    'metadata:',
    `  name: ${ROLE_NAME}`,
    `  namespace: ${namespace}`,
    `  labels: {${MANAGED_BY_LABEL}: migrate}`,
    'rules:',
    ...rules,
    '',
  ].join('\n');
}

function binding(namespace: string, subject: AccessSubject): string {
  const who = subject.kind === 'service-account'
    ? ['  - kind: ServiceAccount', `    name: ${subject.name}`, `    namespace: ${subject.namespace ?? namespace}`]
    : [`  - kind: ${subject.kind === 'user' ? 'User' : 'Group'}`, `    name: ${JSON.stringify(subject.name)}`, '    apiGroup: rbac.authorization.k8s.io'];
  return [
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: RoleBinding',
    'metadata:',
    `  name: ${ROLE_NAME}`,
    `  namespace: ${namespace}`,
    `  labels: {${MANAGED_BY_LABEL}: migrate}`,
    'roleRef:',
    '  apiGroup: rbac.authorization.k8s.io',
    '  kind: Role',
    `  name: ${ROLE_NAME}`,
    'subjects:',
    ...who,
    '',
  ].join('\n');
}
