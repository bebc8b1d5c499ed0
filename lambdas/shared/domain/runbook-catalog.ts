import * as z from 'zod';

/**
 * The one list of runbooks a technician may run in a client's account. The API validates
 * `POST /v1/incidents/{id}/runbooks` against it, the runbook workflow turns its parameters
 * into `ssm:SendCommand` parameters, and `ClientAccessStack` creates its custom SSM documents
 * and allows `ssm:SendCommand` on exactly these document names.
 *
 * Pure: no AWS client, no environment, no clock.
 */

/** Where `SendCommand` (CloudWatchOutputConfig) sends command output; `ClientAccessStack` creates it. */
export const RUNBOOK_LOG_GROUP_NAME = '/aws/ssm/AlertWhisperer';

/** Instances the MSP may run commands on carry this tag; the client sets it, the MSP role cannot. */
export const MANAGED_BY_TAG_KEY = 'ManagedBy';
export const MANAGED_BY_TAG_VALUE = 'AlertWhisperer';

/** EC2 (`i-`, 8 or 17 hex) and hybrid managed nodes (`mi-`, 17 hex). */
export const INSTANCE_ID_PATTERN = /^(i|mi)-[0-9a-f]{8,17}$/;

export const instanceIdSchema = z
  .string()
  .regex(INSTANCE_ID_PATTERN, 'must be an EC2 instance id (i-…) or a managed node id (mi-…)');

/**
 * A unit or Windows service name. It is substituted into the SSM document's script text, so
 * quotes, spaces, `$`, `;`, backticks and wildcards are refused; a leading `-` or `.` is
 * refused because `systemctl -H<host>` would turn a name into an option.
 */
export const SERVICE_NAME_PATTERN = /^[A-Za-z0-9@_][A-Za-z0-9@._-]{0,127}$/;

/** `systemctl restart reboot.target` reboots the host: only service units may be restarted. */
const NON_SERVICE_UNIT_SUFFIX = /\.(target|socket|device|mount|automount|swap|timer|path|slice|scope)$/i;

/** Restarting the agent from inside its own command leaves the invocation hanging until timeout. */
const SSM_AGENT_SERVICE_NAMES = new Set(['amazon-ssm-agent', 'amazon-ssm-agent.service', 'amazonssmagent']);

export const RETENTION_DAYS_MIN = 1;
export const RETENTION_DAYS_MAX = 30;
export const RETENTION_DAYS_DEFAULT = 7;
/** 1–30 as text, for the SSM document's `allowedPattern` (SSM checks it again at SendCommand). */
const RETENTION_DAYS_SSM_PATTERN = '^([1-9]|[12][0-9]|30)$';

export const PATCH_OPERATIONS = ['Scan', 'Install'] as const;
export const PATCH_REBOOT_OPTIONS = ['NoReboot', 'RebootIfNeeded'] as const;

export const RUNBOOK_NAMES = ['AW-DiskCleanup', 'AW-RestartService', 'AW-CollectDiagnostics', 'AWS-RunPatchBaseline'] as const;
export type RunbookName = (typeof RUNBOOK_NAMES)[number];

export const runbookNameSchema = z.enum(RUNBOOK_NAMES, { error: `must be one of ${RUNBOOK_NAMES.join(', ')}` });

/** Validated runbook parameters: scalars only, so each maps to one SSM parameter value. */
export type RunbookParameters = Readonly<Record<string, string | number>>;

/** An SSM Command document parameter (schema 2.2). Only `String`: patterns are enforced by SSM on strings. */
export interface SsmDocumentParameter {
  readonly type: 'String';
  readonly description: string;
  readonly default?: string;
  readonly allowedPattern?: string;
  readonly allowedValues?: readonly string[];
}

export type SsmPlatform = 'Linux' | 'Windows';

export interface SsmDocumentStep {
  readonly action: 'aws:runShellScript' | 'aws:runPowerShellScript';
  readonly name: string;
  readonly precondition: { readonly StringEquals: readonly ['platformType', SsmPlatform] };
  readonly inputs: { readonly runCommand: readonly string[]; readonly timeoutSeconds: string };
}

/** The `Content` of an `AWS::SSM::Document` of type Command. */
export interface SsmCommandDocument {
  readonly schemaVersion: '2.2';
  readonly description: string;
  readonly parameters: Readonly<Record<string, SsmDocumentParameter>>;
  readonly mainSteps: readonly SsmDocumentStep[];
}

export interface RunbookDefinition {
  readonly name: RunbookName;
  readonly description: string;
  /** The SSM document `SendCommand` runs. */
  readonly documentName: string;
  /** Validates the request body's `parameters` (absent means `{}`); unknown fields are dropped. */
  readonly parameters: z.ZodType<RunbookParameters, unknown>;
  /** Content of the custom document `ClientAccessStack` creates; absent for AWS-owned documents. */
  readonly ssmDocument?: SsmCommandDocument;
  /** An upper bound the workflow can use for its polling deadline. */
  readonly timeoutSeconds: number;
  /** Changes the instance (false: read-only). */
  readonly mutating: boolean;
}

const linuxStep = (name: string, timeoutSeconds: number, runCommand: readonly string[]): SsmDocumentStep => ({
  action: 'aws:runShellScript',
  name,
  precondition: { StringEquals: ['platformType', 'Linux'] },
  inputs: { runCommand, timeoutSeconds: String(timeoutSeconds) },
});

const windowsStep = (name: string, timeoutSeconds: number, runCommand: readonly string[]): SsmDocumentStep => ({
  action: 'aws:runPowerShellScript',
  name,
  precondition: { StringEquals: ['platformType', 'Windows'] },
  inputs: { runCommand, timeoutSeconds: String(timeoutSeconds) },
});

// Shell scripts are POSIX sh: aws:runShellScript runs them with `sh`, which is dash on Debian/Ubuntu.
// SSM pastes {{ parameters }} into the script text; each one lands in single quotes (its
// allowedPattern excludes quotes) and is validated again in the script before use.

const DISK_CLEANUP_TIMEOUT = 900;
const diskCleanup: RunbookDefinition = {
  name: 'AW-DiskCleanup',
  description:
    'Frees disk space: clears package-manager caches, vacuums the systemd journal and deletes regular files in /tmp and /var/tmp older than retentionDays.',
  documentName: 'AW-DiskCleanup',
  parameters: z.object({
    retentionDays: z
      .number({ error: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(RETENTION_DAYS_MIN, `must be at least ${RETENTION_DAYS_MIN}`)
      .max(RETENTION_DAYS_MAX, `must be at most ${RETENTION_DAYS_MAX}`)
      .default(RETENTION_DAYS_DEFAULT),
  }),
  timeoutSeconds: DISK_CLEANUP_TIMEOUT,
  mutating: true,
  ssmDocument: {
    schemaVersion: '2.2',
    description:
      'Alert Whisperer: clear package caches, vacuum the journal and delete temporary files older than retentionDays (Linux).',
    parameters: {
      retentionDays: {
        type: 'String',
        description: `Keep journal entries and temporary files newer than this many days (${RETENTION_DAYS_MIN}-${RETENTION_DAYS_MAX}).`,
        default: String(RETENTION_DAYS_DEFAULT),
        allowedPattern: RETENTION_DAYS_SSM_PATTERN,
      },
    },
    mainSteps: [
      linuxStep('diskCleanupLinux', DISK_CLEANUP_TIMEOUT, [
        'set -eu',
        'export LC_ALL=C',
        "RETENTION_DAYS='{{ retentionDays }}'",
        'case "$RETENTION_DAYS" in',
        "  ''|*[!0-9]*) echo 'retentionDays must be a whole number of days' >&2; exit 2 ;;",
        'esac',
        `if [ "$RETENTION_DAYS" -lt ${RETENTION_DAYS_MIN} ] || [ "$RETENTION_DAYS" -gt ${RETENTION_DAYS_MAX} ]; then`,
        `  echo 'retentionDays must be between ${RETENTION_DAYS_MIN} and ${RETENTION_DAYS_MAX}' >&2; exit 2`,
        'fi',
        'echo "== free space before"',
        'df -hP / /var /tmp 2>/dev/null || df -hP /',
        'echo "== package caches"',
        'if command -v apt-get >/dev/null 2>&1; then apt-get clean || echo "apt-get clean skipped (package manager busy?)"; fi',
        'if command -v dnf >/dev/null 2>&1; then dnf -q clean all || echo "dnf clean skipped";',
        'elif command -v yum >/dev/null 2>&1; then yum -q clean all || echo "yum clean skipped"; fi',
        'if command -v zypper >/dev/null 2>&1; then zypper --quiet clean --all || echo "zypper clean skipped"; fi',
        'echo "== systemd journal older than ${RETENTION_DAYS} days"',
        'if command -v journalctl >/dev/null 2>&1; then journalctl --vacuum-time="${RETENTION_DAYS}d" 2>&1 || echo "journal vacuum skipped"; fi',
        'echo "== temporary files older than ${RETENTION_DAYS} days"',
        // -xdev: never leave the temp filesystem; -type f: never sockets, links or directories.
        'for dir in /tmp /var/tmp; do',
        '  [ -d "$dir" ] || continue',
        '  removed=$(find "$dir" -xdev -type f -mtime +"$RETENTION_DAYS" -print -delete 2>/dev/null | wc -l)',
        '  echo "$dir: removed $removed files"',
        'done',
        'echo "== free space after"',
        'df -hP / /var /tmp 2>/dev/null || df -hP /',
      ]),
      // Without a Windows step the command would "succeed" having done nothing.
      windowsStep('diskCleanupWindowsUnsupported', 60, [
        "[Console]::Error.WriteLine('AW-DiskCleanup supports Linux instances only.')",
        'exit 2',
      ]),
    ],
  },
};

const RESTART_SERVICE_TIMEOUT = 300;
const restartService: RunbookDefinition = {
  name: 'AW-RestartService',
  description: 'Restarts one systemd service (Linux) or Windows service and reports whether it is running again.',
  documentName: 'AW-RestartService',
  parameters: z.object({
    serviceName: z
      .string({ error: 'is required' })
      .regex(SERVICE_NAME_PATTERN, 'must be 1-128 characters of A-Z, a-z, 0-9, "@", ".", "_", "-", not starting with "-" or "."')
      .refine((name) => !NON_SERVICE_UNIT_SUFFIX.test(name), 'must name a service, not a target, socket, mount or other unit')
      .refine((name) => !SSM_AGENT_SERVICE_NAMES.has(name.toLowerCase()), 'must not be the SSM agent that runs the command'),
  }),
  timeoutSeconds: RESTART_SERVICE_TIMEOUT,
  mutating: true,
  ssmDocument: {
    schemaVersion: '2.2',
    description: 'Alert Whisperer: restart one service and report its state.',
    parameters: {
      serviceName: {
        type: 'String',
        description: 'Service to restart: a systemd service unit (Linux) or a service name (Windows).',
        allowedPattern: SERVICE_NAME_PATTERN.source,
      },
    },
    mainSteps: [
      linuxStep('restartServiceLinux', RESTART_SERVICE_TIMEOUT, [
        'set -eu',
        'export LC_ALL=C',
        "SERVICE_NAME='{{ serviceName }}'",
        'case "$SERVICE_NAME" in',
        "  ''|-*|.*|*[!A-Za-z0-9@._-]*) echo 'serviceName is not a safe service name' >&2; exit 2 ;;",
        'esac',
        'if [ "${#SERVICE_NAME}" -gt 128 ]; then echo "serviceName is longer than 128 characters" >&2; exit 2; fi',
        // Forcing the .service type makes reboot.target and friends resolve to a unit that does not exist.
        'case "$SERVICE_NAME" in',
        '  *.service) UNIT="$SERVICE_NAME" ;;',
        '  *) UNIT="$SERVICE_NAME.service" ;;',
        'esac',
        'if [ "$UNIT" = "amazon-ssm-agent.service" ] || [ "$UNIT" = "snap.amazon-ssm-agent.amazon-ssm-agent.service" ]; then',
        "  echo 'refusing to restart the SSM agent that runs this command' >&2; exit 3",
        'fi',
        "command -v systemctl >/dev/null 2>&1 || { echo 'systemd is required' >&2; exit 4; }",
        'if ! systemctl cat -- "$UNIT" >/dev/null 2>&1; then echo "service $UNIT not found" >&2; exit 5; fi',
        'echo "== restarting $UNIT"',
        'systemctl restart -- "$UNIT"',
        'sleep 3',
        'systemctl --no-pager --lines=20 status -- "$UNIT" || true',
        'systemctl is-active --quiet -- "$UNIT"',
      ]),
      windowsStep('restartServiceWindows', RESTART_SERVICE_TIMEOUT, [
        "$ErrorActionPreference = 'Stop'",
        "$ServiceName = '{{ serviceName }}'",
        `if ($ServiceName -cnotmatch '${SERVICE_NAME_PATTERN.source}') { [Console]::Error.WriteLine('serviceName is not a safe service name'); exit 2 }`,
        "if ($ServiceName -eq 'AmazonSSMAgent') { [Console]::Error.WriteLine('refusing to restart the SSM agent that runs this command'); exit 3 }",
        '$service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue',
        'if (-not $service) { [Console]::Error.WriteLine("service $ServiceName not found"); exit 5 }',
        'Restart-Service -InputObject $service -Force',
        'Start-Sleep -Seconds 3',
        '$service.Refresh()',
        '$service | Format-List Name, DisplayName, Status, StartType | Out-String -Width 200',
        "if ($service.Status -ne 'Running') { exit 1 }",
      ]),
    ],
  },
};

const COLLECT_DIAGNOSTICS_TIMEOUT = 120;
const collectDiagnostics: RunbookDefinition = {
  name: 'AW-CollectDiagnostics',
  description: 'Read-only snapshot: uptime and load, disk and inode usage, memory, top processes, failed services and recent error log entries.',
  documentName: 'AW-CollectDiagnostics',
  parameters: z.object({}),
  timeoutSeconds: COLLECT_DIAGNOSTICS_TIMEOUT,
  mutating: false,
  ssmDocument: {
    schemaVersion: '2.2',
    description: 'Alert Whisperer: collect a read-only diagnostic snapshot of the instance.',
    parameters: {},
    mainSteps: [
      // No `set -e`: a missing tool must not hide the sections after it. Output stays well under
      // the 24,000 characters GetCommandInvocation returns.
      linuxStep('collectDiagnosticsLinux', COLLECT_DIAGNOSTICS_TIMEOUT, [
        'export LC_ALL=C',
        'section() { printf "\\n== %s\\n" "$1"; }',
        'section "host"',
        'hostname; uname -sr; grep -E "^(PRETTY_NAME|VERSION_ID)=" /etc/os-release 2>/dev/null',
        'section "uptime and load"',
        'uptime',
        'section "disk usage"',
        'df -hPT -x tmpfs -x devtmpfs -x squashfs 2>/dev/null || df -hP',
        'section "inode usage"',
        'df -iP -x tmpfs -x devtmpfs -x squashfs 2>/dev/null || df -iP',
        'section "memory (MB)"',
        'free -m 2>/dev/null || head -n 5 /proc/meminfo',
        'section "top processes by CPU"',
        'ps -eo pid,user,pcpu,pmem,etime,comm --sort=-pcpu 2>/dev/null | head -n 16',
        'section "top processes by memory"',
        'ps -eo pid,user,pcpu,pmem,rss,comm --sort=-pmem 2>/dev/null | head -n 16',
        'section "failed services"',
        'systemctl --failed --no-pager --no-legend 2>/dev/null || echo "systemd not available"',
        'section "last 50 journal errors"',
        'journalctl -p err -n 50 --no-pager -q 2>/dev/null || tail -n 50 /var/log/messages 2>/dev/null || echo "no journal"',
        'exit 0',
      ]),
      windowsStep('collectDiagnosticsWindows', COLLECT_DIAGNOSTICS_TIMEOUT, [
        "$ErrorActionPreference = 'Continue'",
        '$os = Get-CimInstance Win32_OperatingSystem',
        '"== host"; "$env:COMPUTERNAME $($os.Caption) $($os.Version)"',
        '"== uptime"; "up since $($os.LastBootUpTime) ($([int]((Get-Date) - $os.LastBootUpTime).TotalHours) h)"',
        '"== disk usage"',
        "Get-CimInstance Win32_LogicalDisk -Filter 'DriveType=3' | Select-Object DeviceID, @{ n='SizeGB'; e={ [math]::Round($_.Size / 1GB, 1) } }, @{ n='FreeGB'; e={ [math]::Round($_.FreeSpace / 1GB, 1) } } | Format-Table -AutoSize | Out-String -Width 200",
        '"== memory"; "{0:N0} MB free of {1:N0} MB" -f ($os.FreePhysicalMemory / 1KB), ($os.TotalVisibleMemorySize / 1KB)',
        '"== top processes by CPU"',
        "Get-Process | Sort-Object CPU -Descending | Select-Object -First 15 Id, ProcessName, CPU, @{ n='WorkingSetMB'; e={ [math]::Round($_.WorkingSet64 / 1MB) } } | Format-Table -AutoSize | Out-String -Width 200",
        '"== automatic services not running"',
        "Get-CimInstance Win32_Service -Filter \"StartMode='Auto' AND State<>'Running'\" | Select-Object Name, State | Format-Table -AutoSize | Out-String -Width 200",
        '"== last 30 System log errors"',
        "Get-WinEvent -FilterHashtable @{ LogName='System'; Level=1,2 } -MaxEvents 30 -ErrorAction SilentlyContinue | Select-Object TimeCreated, ProviderName, Id, Message | Format-List | Out-String -Width 200",
        'exit 0',
      ]),
    ],
  },
};

const runPatchBaseline: RunbookDefinition = {
  name: 'AWS-RunPatchBaseline',
  description:
    'AWS-owned document: scans for missing patches (Scan) or installs them (Install) per the instance patch baseline. Reboots only when RebootOption is RebootIfNeeded.',
  documentName: 'AWS-RunPatchBaseline',
  parameters: z.object({
    Operation: z.enum(PATCH_OPERATIONS, { error: `must be one of ${PATCH_OPERATIONS.join(', ')}` }).default('Scan'),
    // AWS's default is RebootIfNeeded; a runbook started from an incident reboots only when asked to.
    RebootOption: z.enum(PATCH_REBOOT_OPTIONS, { error: `must be one of ${PATCH_REBOOT_OPTIONS.join(', ')}` }).default('NoReboot'),
  }),
  // Install can take long on a stale host; the document's own executionTimeout default is 2 h.
  timeoutSeconds: 7200,
  mutating: true,
};

export const RUNBOOK_CATALOG: readonly RunbookDefinition[] = Object.freeze([
  diskCleanup,
  restartService,
  collectDiagnostics,
  runPatchBaseline,
]);

// A Map, not an object: `__proto__`, `constructor` and `toString` are names like any other.
const RUNBOOKS_BY_NAME: ReadonlyMap<string, RunbookDefinition> = new Map(
  RUNBOOK_CATALOG.map((runbook) => [runbook.name, runbook]),
);

/** The approved runbook with this name, or null. */
export function runbookByName(name: string): RunbookDefinition | null {
  return RUNBOOKS_BY_NAME.get(name) ?? null;
}

/** Runbooks whose SSM document this project creates (the rest are AWS-owned). */
export function customRunbooks(): RunbookDefinition[] {
  return RUNBOOK_CATALOG.filter((runbook) => runbook.ssmDocument !== undefined);
}

/** Validated parameters → `SendCommand`'s `Parameters` (every value a one-element string list). */
export function toSsmParameters(parameters: RunbookParameters): Record<string, string[]> {
  return Object.fromEntries(Object.entries(parameters).map(([key, value]) => [key, [String(value)]]));
}
