/**
 * The one stand-in the tests allow: AWS itself. A local HTTP server speaking the EC2 Query API
 * (form-encoded POST, XML replies, API version 2016-11-15) for DescribeInstances,
 * StartInstances and StopInstances, reached by the real AWS SDK through AWS_ENDPOINT_URL_EC2
 * and static test credentials. Each instance is backed by a real test sshd: starting the
 * instance (pending → running) starts sshd on the next loopback address (127.0.0.2, 127.0.0.3,
 * ...) returned as its public IP; stopping it (stopping → stopped) kills sshd.
 *
 * Requests are checked as AWS would: a SigV4 Authorization header with the test access key,
 * the region in its credential scope (an instance exists in one region only), and optional
 * per-action denials (UnauthorizedOperation) for the permission tests.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestSshd } from './sshd';

export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped';
const CODES: Record<InstanceState, number> = { pending: 0, running: 16, stopping: 64, stopped: 80 };

export const TEST_ACCESS_KEY = 'AKIAORCHTESTKEY00001';
export const TEST_SECRET_KEY = 'orch-test-secret-key-not-a-real-one';

export interface TestInstance {
  readonly id: string;
  readonly region: string;
  readonly type: string;
  readonly state: InstanceState;
  /** The public IP while running (the sshd's current address). */
  readonly publicIp: string | undefined;
  /** Every address it got, one per start. */
  readonly addresses: string[];
  readonly sshd: TestSshd;
}

export interface AddInstanceOptions {
  sshd: TestSshd;
  region?: string;
  type?: string;
  /** Initial state (default stopped: sshd is killed now). */
  state?: 'running' | 'stopped';
  /** Time spent pending / stopping (default 400 ms each). */
  pendingMs?: number;
  stoppingMs?: number;
}

export interface Ec2Endpoint {
  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL_EC2. */
  readonly url: string;
  addInstance(options: AddInstanceOptions): Promise<TestInstance>;
  /** Actions answered with UnauthorizedOperation (as an IAM policy without them). */
  deny(...actions: string[]): void;
  allowAll(): void;
  /** Every action received, in order (`DescribeInstances`, ...). */
  readonly calls: string[];
  /** The environment a user with these credentials would have (plus the given extras). */
  awsEnv(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

let nextAddress = 2;

class Instance implements TestInstance {
  state: InstanceState;
  publicIp: string | undefined;
  addresses: string[] = [];
  launchTime = new Date();
  readonly privateIp = '10.0.0.12';
  private pendingMs: number;
  private stoppingMs: number;

  constructor(
    readonly id: string,
    readonly region: string,
    readonly type: string,
    readonly sshd: TestSshd,
    o: AddInstanceOptions,
  ) {
    this.state = o.state ?? 'stopped';
    this.pendingMs = o.pendingMs ?? 400;
    this.stoppingMs = o.stoppingMs ?? 400;
    if (this.state === 'running') {
      this.publicIp = sshd.host;
      this.addresses.push(sshd.host);
    }
  }

  /** StartInstances: pending now; sshd on a new address, then running. */
  start(): void {
    if (this.state !== 'stopped') return;
    this.state = 'pending';
    setTimeout(() => {
      const address = `127.0.0.${nextAddress++}`;
      this.sshd.moveTo(address).then(
        () => {
          this.publicIp = address;
          this.addresses.push(address);
          this.launchTime = new Date();
          this.state = 'running';
        },
        (e: unknown) => {
          console.error(`ec2 stand-in: sshd did not start at ${address}: ${String(e)}`);
          this.state = 'stopped';
        },
      );
    }, this.pendingMs);
  }

  /** StopInstances: stopping now; sshd killed, then stopped. */
  stop(): void {
    if (this.state !== 'running' && this.state !== 'pending') return;
    this.state = 'stopping';
    setTimeout(() => {
      void this.sshd.kill().then(() => {
        this.publicIp = undefined;
        this.state = 'stopped';
      });
    }, this.stoppingMs);
  }

  async settle(): Promise<void> {
    if (this.state === 'stopped') await this.sshd.kill();
  }

  xml(): string {
    return [
      '<item>',
      `<instanceId>${this.id}</instanceId>`,
      `<instanceState><code>${CODES[this.state]}</code><name>${this.state}</name></instanceState>`,
      `<privateDnsName>ip-10-0-0-12.${this.region}.compute.internal</privateDnsName>`,
      // EC2 gives a public DNS name only in VPCs with DNS hostnames on; here only the IP, so the
      // "else IP" path is the one taken.
      '<dnsName></dnsName>',
      `<instanceType>${this.type}</instanceType>`,
      `<launchTime>${this.launchTime.toISOString()}</launchTime>`,
      `<privateIpAddress>${this.privateIp}</privateIpAddress>`,
      this.publicIp ? `<ipAddress>${this.publicIp}</ipAddress>` : '',
      '</item>',
    ].join('');
  }
}

export async function startEc2Endpoint(): Promise<Ec2Endpoint> {
  const instances = new Map<string, Instance>();
  const denied = new Set<string>();
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (body) => answer(req, res, new URLSearchParams(body)),
      () => res.destroy(),
    );
  });

  function answer(req: IncomingMessage, res: ServerResponse, form: URLSearchParams): void {
    const action = form.get('Action') ?? '';
    calls.push(action);
    const auth = String(req.headers.authorization ?? '');
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/ec2\/aws4_request/.exec(auth);
    if (!scope) return fail(res, 401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
    if (scope[1] !== TEST_ACCESS_KEY) return fail(res, 401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
    if (form.get('Version') !== '2016-11-15') return fail(res, 400, 'InvalidParameterValue', `Unsupported version ${form.get('Version')}`);
    if (denied.has(action)) {
      return fail(res, 403, 'UnauthorizedOperation', `You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/orch-test is not authorized to perform: ec2:${action}`);
    }
    const region = scope[2]!;
    const ids = [...form.entries()].filter(([k]) => /^InstanceId\.\d+$/.test(k)).map(([, v]) => v);
    const found: Instance[] = [];
    for (const id of ids) {
      const inst = instances.get(id);
      if (!/^i-[0-9a-f]{8,17}$/.test(id)) return fail(res, 400, 'InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
      if (!inst || inst.region !== region) return fail(res, 400, 'InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
      found.push(inst);
    }
    const requestId = randomBytes(16).toString('hex');
    const transition = (verb: 'start' | 'stop'): string =>
      found
        .map((i) => {
          const before = i.state;
          i[verb]();
          return `<item><instanceId>${i.id}</instanceId><currentState><code>${CODES[i.state]}</code><name>${i.state}</name></currentState><previousState><code>${CODES[before]}</code><name>${before}</name></previousState></item>`;
        })
        .join('');
    switch (action) {
      case 'DescribeInstances':
        return ok(res, action, requestId, `<reservationSet>${found.map((i) => `<item><reservationId>r-0${i.id.slice(3)}</reservationId><ownerId>123456789012</ownerId><instancesSet>${i.xml()}</instancesSet></item>`).join('')}</reservationSet>`);
      case 'StartInstances':
        return ok(res, action, requestId, `<instancesSet>${transition('start')}</instancesSet>`);
      case 'StopInstances':
        return ok(res, action, requestId, `<instancesSet>${transition('stop')}</instancesSet>`);
      default:
        return fail(res, 400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    async addInstance(o) {
      const id = `i-0${randomBytes(8).toString('hex')}`;
      const inst = new Instance(id, o.region ?? 'ap-northeast-1', o.type ?? 'g5.xlarge', o.sshd, o);
      instances.set(id, inst);
      await inst.settle();
      return inst;
    },
    deny: (...actions) => actions.forEach((a) => denied.add(a)),
    allowAll: () => denied.clear(),
    awsEnv: (extra = {}) => ({
      AWS_ENDPOINT_URL_EC2: url,
      AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: TEST_SECRET_KEY,
      // Nothing of the machine's own AWS set-up may leak in.
      AWS_CONFIG_FILE: '/nonexistent/orch-test/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/orch-test/aws-credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...extra,
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function ok(res: ServerResponse, action: string, requestId: string, inner: string): void {
  res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId>${inner}</${action}Response>`);
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${randomBytes(16).toString('hex')}</RequestID></Response>`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (s: string) => (body += s));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
