import {
  customRunbooks,
  INSTANCE_ID_PATTERN,
  instanceIdSchema,
  RUNBOOK_CATALOG,
  RUNBOOK_NAMES,
  runbookByName,
  runbookNameSchema,
  SERVICE_NAME_PATTERN,
  toSsmParameters,
  type RunbookDefinition,
} from '../../lambdas/shared/domain/runbook-catalog';

function runbook(name: string): RunbookDefinition {
  const found = runbookByName(name);
  if (!found) throw new Error(`${name} is not in the catalog`);
  return found;
}

const parse = (name: string, parameters: unknown) => runbook(name).parameters.safeParse(parameters);

describe('runbook catalog', () => {
  it('lists each approved runbook once, in RUNBOOK_NAMES order', () => {
    expect(RUNBOOK_CATALOG.map((entry) => entry.name)).toEqual([...RUNBOOK_NAMES]);
    expect(new Set(RUNBOOK_NAMES).size).toBe(RUNBOOK_NAMES.length);
    expect(RUNBOOK_NAMES).toEqual(expect.arrayContaining(['AW-DiskCleanup', 'AW-RestartService', 'AW-CollectDiagnostics', 'AWS-RunPatchBaseline']));
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(RUNBOOK_CATALOG)).toBe(true);
  });

  it('ships a document for every runbook except the AWS-owned one', () => {
    expect(customRunbooks().map((entry) => entry.name)).toEqual(['AW-DiskCleanup', 'AW-RestartService', 'AW-CollectDiagnostics']);
    expect(runbook('AWS-RunPatchBaseline').ssmDocument).toBeUndefined();
    for (const entry of customRunbooks()) {
      expect(entry.documentName).toBe(entry.name);
      // SSM reserves these prefixes for AWS-owned documents.
      expect(entry.documentName).not.toMatch(/^(aws|amazon|amzn)/i);
      expect(entry.documentName).toMatch(/^[a-zA-Z0-9_.-]{3,128}$/);
    }
  });
});

describe('runbookByName', () => {
  it('finds every catalog runbook', () => {
    for (const name of RUNBOOK_NAMES) expect(runbookByName(name)?.name).toBe(name);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'AWS-RunShellScript', 'aw-diskcleanup', ' AW-DiskCleanup', ''])(
    'answers null for %j',
    (name) => {
      expect(runbookByName(name)).toBeNull();
    },
  );
});

describe('runbookNameSchema', () => {
  it('accepts the catalog names', () => {
    for (const name of RUNBOOK_NAMES) expect(runbookNameSchema.parse(name)).toBe(name);
  });

  it.each(['__proto__', 'constructor', 'AWS-RunShellScript', 'AWS-RunPowerShellScript', 'AW-DiskCleanup ', 42, null, undefined])('refuses %j', (name) => {
    expect(runbookNameSchema.safeParse(name).success).toBe(false);
  });
});

describe('instance ids', () => {
  it.each(['i-0123abcd', 'i-0123456789abcdef0', 'mi-0123456789abcdef0'])('accepts %s', (id) => {
    expect(INSTANCE_ID_PATTERN.test(id)).toBe(true);
    expect(instanceIdSchema.parse(id)).toBe(id);
  });

  it.each([
    'i-0123abc', // too short
    'i-0123456789abcdef01', // 18 hex
    'i-0123456789ABCDEF0', // upper case
    'i-0123456789abcdeg0',
    'x-0123456789abcdef0',
    'arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0',
    'i-0123456789abcdef0\n',
    ' i-0123456789abcdef0',
    '*',
    '',
  ])('refuses %j', (id) => {
    expect(instanceIdSchema.safeParse(id).success).toBe(false);
  });
});

describe('AW-RestartService parameters', () => {
  it.each(['nginx', 'nginx.service', 'php7.4-fpm', 'getty@tty1.service', 'my_app-worker', 'W3SVC', 'a'.repeat(128)])('accepts %j', (serviceName) => {
    expect(parse('AW-RestartService', { serviceName })).toEqual({ success: true, data: { serviceName } });
  });

  it.each([
    '; rm -rf /',
    'nginx; rm -rf /',
    '$(reboot)',
    '`reboot`',
    'nginx && reboot',
    "nginx' ; reboot ; '",
    'nginx"',
    'nginx|tee',
    'nginx\nreboot',
    'nginx reboot',
    '../../etc/passwd',
    '-H attacker@host',
    '--help',
    '.hidden',
    'ngin*',
    'a'.repeat(129),
    '',
    'reboot.target',
    'poweroff.target',
    'docker.socket',
    'home.mount',
    'amazon-ssm-agent',
    'AmazonSSMAgent',
  ])('refuses %j', (serviceName) => {
    expect(parse('AW-RestartService', { serviceName }).success).toBe(false);
  });

  it('requires serviceName', () => {
    expect(parse('AW-RestartService', {}).success).toBe(false);
    expect(parse('AW-RestartService', { serviceName: 42 }).success).toBe(false);
  });

  it('gives SSM the same pattern, so SendCommand refuses what the API would', () => {
    const document = runbook('AW-RestartService').ssmDocument;
    expect(document?.parameters.serviceName?.allowedPattern).toBe(SERVICE_NAME_PATTERN.source);
  });
});

describe('AW-DiskCleanup parameters', () => {
  it('defaults retentionDays to 7', () => {
    expect(parse('AW-DiskCleanup', {})).toEqual({ success: true, data: { retentionDays: 7 } });
  });

  it.each([1, 7, 30])('accepts retentionDays %d', (retentionDays) => {
    expect(parse('AW-DiskCleanup', { retentionDays })).toEqual({ success: true, data: { retentionDays } });
  });

  it.each([0, 31, -1, 1.5, '7', '7; rm -rf /', null, Number.NaN, Number.POSITIVE_INFINITY])('refuses retentionDays %j', (retentionDays) => {
    expect(parse('AW-DiskCleanup', { retentionDays }).success).toBe(false);
  });

  it('gives SSM a pattern for exactly 1-30', () => {
    const pattern = new RegExp(runbook('AW-DiskCleanup').ssmDocument?.parameters.retentionDays?.allowedPattern ?? '(?!)');
    for (let days = 1; days <= 30; days += 1) expect(pattern.test(String(days))).toBe(true);
    for (const text of ['0', '31', '07', '100', '-1', '1.5', '7 ', '']) expect(pattern.test(text)).toBe(false);
  });
});

describe('AW-CollectDiagnostics parameters', () => {
  it('takes none, and drops unknown fields', () => {
    expect(parse('AW-CollectDiagnostics', {})).toEqual({ success: true, data: {} });
    expect(parse('AW-CollectDiagnostics', { commands: 'rm -rf /' })).toEqual({ success: true, data: {} });
  });

  it('is the one read-only runbook', () => {
    expect(RUNBOOK_CATALOG.filter((entry) => !entry.mutating).map((entry) => entry.name)).toEqual(['AW-CollectDiagnostics']);
  });
});

describe('AWS-RunPatchBaseline parameters', () => {
  it('defaults to a Scan that never reboots', () => {
    expect(parse('AWS-RunPatchBaseline', {})).toEqual({ success: true, data: { Operation: 'Scan', RebootOption: 'NoReboot' } });
  });

  it('installs, and reboots only when asked', () => {
    expect(parse('AWS-RunPatchBaseline', { Operation: 'Install', RebootOption: 'RebootIfNeeded' })).toEqual({
      success: true,
      data: { Operation: 'Install', RebootOption: 'RebootIfNeeded' },
    });
  });

  it.each([{ Operation: 'scan' }, { Operation: 'Uninstall' }, { RebootOption: 'Always' }, { Operation: ['Scan'] }])('refuses %j', (parameters) => {
    expect(parse('AWS-RunPatchBaseline', parameters).success).toBe(false);
  });
});

describe('toSsmParameters', () => {
  it('turns validated parameters into SendCommand parameters', () => {
    expect(toSsmParameters({ retentionDays: 14 })).toEqual({ retentionDays: ['14'] });
    expect(toSsmParameters({ Operation: 'Install', RebootOption: 'NoReboot' })).toEqual({ Operation: ['Install'], RebootOption: ['NoReboot'] });
    expect(toSsmParameters({})).toEqual({});
  });

  it('names only parameters the custom document declares, and every one it requires', () => {
    const samples: Record<string, unknown> = { 'AW-DiskCleanup': {}, 'AW-RestartService': { serviceName: 'nginx' }, 'AW-CollectDiagnostics': {} };
    for (const entry of customRunbooks()) {
      const declared = entry.ssmDocument?.parameters ?? {};
      const sent = toSsmParameters(entry.parameters.parse(samples[entry.name]));
      for (const key of Object.keys(sent)) expect(Object.keys(declared)).toContain(key);
      for (const [key, parameter] of Object.entries(declared)) {
        if (parameter.default === undefined) expect(Object.keys(sent)).toContain(key);
      }
    }
  });
});

describe('custom SSM documents', () => {
  const documents = customRunbooks().map((entry) => [entry.name, entry.ssmDocument!] as const);

  it.each(documents)('%s is a schema 2.2 Command document with a step for Linux and for Windows', (_name, document) => {
    expect(document.schemaVersion).toBe('2.2');
    expect(document.mainSteps.map((step) => step.precondition.StringEquals[1]).sort()).toEqual(['Linux', 'Windows']);
    for (const step of document.mainSteps) {
      expect(step.action).toBe(step.precondition.StringEquals[1] === 'Linux' ? 'aws:runShellScript' : 'aws:runPowerShellScript');
      expect(Number(step.inputs.timeoutSeconds)).toBeGreaterThan(0);
    }
    expect(new Set(document.mainSteps.map((step) => step.name)).size).toBe(document.mainSteps.length);
  });

  it.each(documents)('%s interpolates only declared parameters, each inside single quotes', (_name, document) => {
    const script = document.mainSteps.flatMap((step) => step.inputs.runCommand).join('\n');
    const references = [...script.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((match) => match[1]);
    for (const reference of references) expect(Object.keys(document.parameters)).toContain(reference);
    // Every {{ }} is a whole parameter reference, and it sits in a single-quoted assignment.
    expect(script.split('{{').length - 1).toBe(references.length);
    expect(script.split('}}').length - 1).toBe(references.length);
    for (const line of script.split('\n').filter((text) => text.includes('{{'))) {
      expect(line).toMatch(/^\$?[A-Za-z_]+ ?= ?'\{\{ [A-Za-z]+ \}\}'$/);
    }
  });

  it.each(documents)('%s gives every parameter a pattern or a fixed list', (_name, document) => {
    for (const parameter of Object.values(document.parameters)) {
      expect(parameter.type).toBe('String');
      expect(parameter.allowedPattern ?? parameter.allowedValues).toBeDefined();
    }
  });

  it('AW-CollectDiagnostics changes nothing on the instance', () => {
    const script = runbook('AW-CollectDiagnostics').ssmDocument!.mainSteps.flatMap((step) => step.inputs.runCommand).join('\n');
    expect(script).not.toMatch(/\b(rm|restart|Restart-Service|Remove-Item|Stop-|Set-|kill|reboot|shutdown|vacuum|clean)\b/i);
  });

  it('AW-RestartService restarts service units only, never the agent that runs it', () => {
    const linux = runbook('AW-RestartService').ssmDocument!.mainSteps.find((step) => step.precondition.StringEquals[1] === 'Linux')!;
    const script = linux.inputs.runCommand.join('\n');
    expect(script).toContain('UNIT="$SERVICE_NAME.service"');
    expect(script).toContain('systemctl restart -- "$UNIT"');
    expect(script).toContain('amazon-ssm-agent.service');
  });
});
