/**
 * `migrate rbac [jobs..]`: the least access an operator needs, as each backend with access control
 * states it (`Backend.access`; docs/commands.md shows what it prints), to review and apply. Nothing is sent to any system.
 */
import type { CommandModule } from 'yargs';
import { ALL_BACKENDS } from '../../../backends/index.js';
import type { AccessSubject } from '../../core/backend.js';
import { UserError } from '../../core/errors.js';
import { openConnections } from '../connections.js';
import { oneFormatHelp, refuseOutputFormat, type GlobalArgs } from '../global-args.js';
import type { CliIO } from '../io.js';
import type { ExitHolder } from '../exit.js';
import { loadWorkspace } from '../workspace.js';

interface RbacArgs extends GlobalArgs {
  readonly jobs: readonly string[];
  readonly user?: string;
  readonly group?: string;
  readonly 'service-account'?: string;
}

export const DEFAULT_GROUP = 'migrate-operators';

export function rbacCommand(io: CliIO, _exit: ExitHolder): CommandModule<GlobalArgs, RbacArgs> {
  return {
    command: 'rbac [jobs..]',
    describe:
      'print the least access migrate needs where the jobs live, in the terms of each system that has access control, with the command that applies it. ' +
      'Exit 0 printed; 1 an error',
    builder: (y) =>
      y
        .positional('jobs', { type: 'string', array: true, default: [], describe: 'job names or files (default: every job)' })
        .option('user', { type: 'string', describe: 'bind the access to this user' })
        .option('group', { type: 'string', describe: `bind it to this group (the default: ${DEFAULT_GROUP})` })
        .option('service-account', { type: 'string', describe: 'bind it to this service account, NAMESPACE:NAME' })
        .describe('output', oneFormatHelp('YAML manifests')),
    handler: (args) => {
      refuseOutputFormat(args, 'rbac', 'YAML manifests');
      const subject = subjectOf(args);
      const ws = loadWorkspace(io, args, args.jobs, { backendLint: false });
      const jobs = ws.definitions.map((d) => d.job);
      const conn = openConnections(io, args, ws.project);
      const out: string[] = [];
      for (const b of ALL_BACKENDS) {
        if (!b.access) continue;
        // Without a job, the scope a job with no scope of its own would get.
        const scopes = jobs.length ? jobs.map((j) => conn.to(b.name).scopeOf(j)) : [conn.to(b.name).scopeOf()];
        const grant = b.access(scopes, subject);
        out.push(`# ${b.title}: apply with \`migrate rbac${args.jobs.length ? ` ${args.jobs.join(' ')}` : ''} | ${grant.applyWith}\`\n${grant.manifest}`);
      }
      io.stdout.write(out.length ? out.join('---\n') : '# No backend needs access granted.\n');
    },
  };
}

function subjectOf(args: RbacArgs): AccessSubject {
  const given = [args.user, args.group, args['service-account']].filter((v) => v !== undefined);
  if (given.length > 1) throw new UserError('name one of --user, --group and --service-account', 'The access is bound to one subject; bind more by editing the RoleBinding printed.');
  if (args.user !== undefined) return { kind: 'user', name: args.user };
  const sa = args['service-account'];
  if (sa !== undefined) {
    const m = /^([^:]+):([^:]+)$/.exec(sa);
    if (!m) throw new UserError(`--service-account ${sa} is not NAMESPACE:NAME`, 'e.g. --service-account ops:migrate');
    return { kind: 'service-account', namespace: m[1]!, name: m[2]! };
  }
  return { kind: 'group', name: args.group ?? DEFAULT_GROUP };
}
