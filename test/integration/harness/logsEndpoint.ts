/**
 * AWS itself, the one stand-in the tests allow: a local HTTP server speaking the CloudWatch Logs
 * JSON 1.1 API (POST /, X-Amz-Target Logs_20140328.<Action>, application/x-amz-json-1.1) for
 * CreateLogGroup, CreateLogStream, PutLogEvents (sequence-less, as today's API) and
 * GetLogEvents, reached by the real AWS CLI on the test box through `--endpoint-url` and static
 * test credentials.
 *
 * Checked as AWS checks: a SigV4 Authorization header with the test access key;
 * ResourceAlreadyExistsException for an existing group or stream; ResourceNotFoundException for
 * events to a missing one; InvalidParameterException for a batch over 1,048,576 bytes (each
 * event's UTF-8 message plus 26) or 10,000 events, an event over 256 KB, an empty message, or
 * timestamps out of order. `down()` closes the port (connection refused) until `up()`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from './ec2Endpoint';

export interface LogEvent {
  timestamp: number;
  message: string;
}

export interface LogsEndpoint {
  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL_LOGS. */
  readonly url: string;
  /** Events of a stream in arrival order (undefined: no such stream). */
  events(group: string, stream: string): LogEvent[] | undefined;
  /** Streams of a group. */
  streams(group: string): string[];
  /** Every action received, in order. */
  readonly calls: string[];
  /** PutLogEvents batches accepted: event counts and byte sizes as AWS counts them. */
  readonly batches: { events: number; bytes: number }[];
  /** Refuses connections (the port is closed) until up(). */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Runs before each PutLogEvents is stored (e.g. a pause, to kill the client mid-call). */
  onPut?: () => Promise<void>;
  /** The credentials and endpoint a box's environment would give the AWS CLI. */
  awsEnv(): Record<string, string>;
  close(): Promise<void>;
}

const EVENT_MAX = 262_144;
const BATCH_MAX = 1_048_576;

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startLogsEndpoint(): Promise<LogsEndpoint> {
  const groups = new Map<string, Map<string, LogEvent[]>>();
  const calls: string[] = [];
  const batches: { events: number; bytes: number }[] = [];
  let server: Server | undefined;
  let port = 0;

  const stream = (g: string, s: string): LogEvent[] => {
    const found = groups.get(g)?.get(s);
    if (!found) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    return found;
  };

  const actions: Record<string, (b: Record<string, unknown>) => Promise<unknown>> = {
    CreateLogGroup: async (b) => {
      const g = String(b.logGroupName);
      if (groups.has(g)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
      groups.set(g, new Map());
      return {};
    },
    CreateLogStream: async (b) => {
      const g = groups.get(String(b.logGroupName));
      if (!g) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
      const s = String(b.logStreamName);
      if (g.has(s)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
      g.set(s, []);
      return {};
    },
    PutLogEvents: async (b) => {
      const events = b.logEvents as LogEvent[];
      const target = stream(String(b.logGroupName), String(b.logStreamName));
      if (!Array.isArray(events) || events.length === 0 || events.length > 10_000) throw new AwsError('InvalidParameterException', `${events?.length} events in a batch`);
      let bytes = 0;
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        if (typeof e.message !== 'string' || e.message.length === 0) throw new AwsError('InvalidParameterException', 'an event has an empty message');
        const size = Buffer.byteLength(e.message, 'utf8') + 26;
        if (size > EVENT_MAX) throw new AwsError('InvalidParameterException', `an event of ${size} bytes is over ${EVENT_MAX}`);
        if (i > 0 && e.timestamp < events[i - 1]!.timestamp) throw new AwsError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
        bytes += size;
      }
      if (bytes > BATCH_MAX) throw new AwsError('InvalidParameterException', `a batch of ${bytes} bytes is over ${BATCH_MAX}`);
      await endpoint.onPut?.();
      target.push(...events.map((e) => ({ timestamp: e.timestamp, message: e.message })));
      batches.push({ events: events.length, bytes });
      return { nextSequenceToken: String(batches.length) };
    },
    GetLogEvents: async (b) => {
      const all = stream(String(b.logGroupName), String(b.logStreamName));
      const limit = Number(b.limit ?? 10_000);
      const sorted = all.map((e, i) => ({ ...e, i })).sort((x, y) => x.timestamp - y.timestamp || x.i - y.i);
      const picked = b.startFromHead === true ? sorted.slice(0, limit) : sorted.slice(Math.max(0, sorted.length - limit));
      return { events: picked.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp })), nextForwardToken: 'f/0', nextBackwardToken: 'b/0' };
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'test' });
      res.end(JSON.stringify(body));
    };
    try {
      const auth = String(req.headers.authorization ?? '');
      if (!auth.startsWith('AWS4-HMAC-SHA256') || !auth.includes(`Credential=${TEST_ACCESS_KEY}/`)) {
        throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.startsWith('Logs_20140328.') ? target.slice('Logs_20140328.'.length) : '';
      calls.push(action);
      const fn = actions[action];
      if (!fn) throw new AwsError('UnknownOperationException', `unknown operation ${target}`);
      reply(200, await fn(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>));
    } catch (e) {
      if (e instanceof AwsError) reply(e.status, { __type: e.type, message: e.message });
      else reply(500, { __type: 'ServiceUnavailableException', message: String(e) });
    }
  };

  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((req, res) => void handle(req, res));
      s.once('error', reject);
      s.listen(p, '127.0.0.1', () => {
        server = s;
        port = (s.address() as AddressInfo).port;
        resolve();
      });
    });
  const closeServer = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (!s) return resolve();
      s.close(() => resolve());
      s.closeAllConnections();
    });

  await listen(0);
  const endpoint: LogsEndpoint = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    events: (g, s) => groups.get(g)?.get(s),
    streams: (g) => [...(groups.get(g)?.keys() ?? [])],
    calls,
    batches,
    down: closeServer,
    up: () => listen(port),
    awsEnv: () => ({
      AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: TEST_SECRET_KEY,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_LOGS: `http://127.0.0.1:${port}`,
      // The CLI's retries are the shipper's business here: a refused connection fails at once.
      AWS_MAX_ATTEMPTS: '1',
      AWS_RETRY_MODE: 'standard',
    }),
    close: closeServer,
  };
  return endpoint;
}
