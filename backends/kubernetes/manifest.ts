/** A batch/v1 CronJob as migrate writes and reads it: the fields it renders, compares and imports. */

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

export interface ResourceRequirements {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
}

export interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly?: boolean;
}

export interface Volume {
  readonly name: string;
  readonly hostPath?: { readonly path: string; readonly type?: string };
  readonly [source: string]: unknown;
}

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly resources?: ResourceRequirements;
  readonly volumeMounts?: readonly VolumeMount[];
  readonly [other: string]: unknown;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Set by the server (RFC 3339, whole seconds). */
  readonly creationTimestamp?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly [serverOwned: string]: unknown;
}

export interface CronJobManifest {
  readonly apiVersion: 'batch/v1';
  readonly kind: 'CronJob';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly schedule: string;
    readonly timeZone?: string;
    readonly concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    readonly startingDeadlineSeconds?: number;
    readonly suspend?: boolean;
    readonly successfulJobsHistoryLimit?: number;
    readonly failedJobsHistoryLimit?: number;
    readonly jobTemplate: {
      readonly metadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
      readonly spec: {
        readonly backoffLimit?: number;
        readonly template: {
          readonly metadata?: { readonly labels?: Readonly<Record<string, string>> };
          readonly spec: {
            readonly restartPolicy: 'Never' | 'OnFailure';
            readonly containers: readonly Container[];
            readonly volumes?: readonly Volume[];
            readonly hostNetwork?: boolean;
            readonly [other: string]: unknown;
          };
        };
        readonly [other: string]: unknown;
      };
    };
  };
  readonly status?: unknown;
}
