/**
 * The defaults kube-apiserver fills in (`pkg/apis/batch/v1/defaults.go`, `pkg/apis/core/v1/defaults.go`).
 * One function for the stand-in (which stores them) and for normalisation (which fills them on
 * both sides of a diff), so an untouched CronJob never shows a difference.
 */
type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function defaultContainer(c: Obj): void {
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  const image = c.image;
  if (c.imagePullPolicy === undefined && typeof image === 'string') {
    const lastPart = image.split('/').pop() ?? '';
    const tagged = lastPart.includes(':') || image.includes('@');
    c.imagePullPolicy = !tagged || /:latest$/.test(image) ? 'Always' : 'IfNotPresent';
  }
  c.resources ??= {};
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObj(p)) p.protocol ??= 'TCP';
}

export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  if (Array.isArray(spec.volumes)) for (const v of spec.volumes) if (isObj(v) && isObj(v.hostPath)) v.hostPath.type ??= '';
  for (const list of ['containers', 'initContainers']) {
    const containers: unknown = spec[list];
    if (Array.isArray(containers)) for (const c of containers) if (isObj(c)) defaultContainer(c);
  }
}

function podTemplateSpec(holder: Obj | undefined): Obj | undefined {
  const template = holder?.template;
  if (!isObj(template)) return undefined;
  template.spec ??= {};
  return isObj(template.spec) ? template.spec : undefined;
}

/** CronJob defaults; mutates `cj`. */
export function defaultCronJob(cj: Obj): void {
  cj.spec ??= {};
  const spec = cj.spec;
  if (!isObj(spec)) return;
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jobSpec = isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
  const podSpec = podTemplateSpec(jobSpec);
  if (podSpec) defaultPodSpec(podSpec);
}

/** Job defaults; mutates `job`. */
export function defaultJob(job: Obj): void {
  job.spec ??= {};
  const spec = job.spec;
  if (!isObj(spec)) return;
  spec.parallelism ??= 1;
  spec.completions ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.manualSelector ??= undefined;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  const podSpec = podTemplateSpec(spec);
  if (podSpec) defaultPodSpec(podSpec);
  if (spec.manualSelector === undefined) delete spec.manualSelector;
}
