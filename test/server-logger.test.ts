import { Writable } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CENSOR, createLogger, REDACT_PATHS } from '../src/server/logger.ts';

/** A logger writing lines into an array, without the time (the two loggers compared log at different instants). */
function capture(make: (stream: Writable) => pino.Logger) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      const { time: _time, ...line } = JSON.parse(chunk.toString());
      lines.push(line);
      done();
    },
  });
  return { logger: make(stream), lines };
}

const pinoRedacting = (stream: Writable) =>
  pino({ level: 'info', base: { service: 'guardline' }, redact: { paths: REDACT_PATHS, censor: CENSOR } }, stream);

/** Log objects built from the keys the paths name (and others), nested a few levels, with undefined values too. */
const key = fc.constantFrom('token', 'authorization', 'text', 'headers', 'params', 'req', 'err', 'id', 'nested');
const leaf = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, leaf, tie('object'), fc.array(tie('tree'), { maxLength: 2 })),
  object: fc.dictionary(key, tie('tree'), { maxKeys: 4, noNullPrototype: true }),
}));
const logObject = fc.dictionary(key, tree, { maxKeys: 5, noNullPrototype: true });

describe('the server logger', () => {
  it('censors tokens, Authorization headers and text where REDACT_PATHS say', () => {
    const { logger, lines } = capture((s) => createLogger('info', s));
    const input = {
      token: 'eyJ-secret',
      text: 'my card is 4111 1111 1111 1111',
      req: { headers: { authorization: 'Bearer eyJ-secret', host: 'x' } },
      proposal: { params: { text: 'call me on 555 0100' }, kind: 'say' },
      decisionId: 'd-1',
    };
    const before = structuredClone(input);
    logger.child({ sessionId: 's-1' }).info(input, 'decision');
    expect(lines[0]).toEqual({
      level: 30,
      service: 'guardline',
      sessionId: 's-1',
      token: CENSOR,
      text: CENSOR,
      req: { headers: { authorization: CENSOR, host: 'x' } },
      proposal: { params: { text: CENSOR }, kind: 'say' },
      decisionId: 'd-1',
      msg: 'decision',
    });
    expect(input).toEqual(before);
  });

  it("censors child bindings and an error's own properties, keeping the error's message and stack", () => {
    const { logger, lines } = capture((s) => createLogger('info', s));
    const err = Object.assign(new Error('upgrade refused'), { token: 'eyJ-secret' });
    logger.child({ auth: { token: 'eyJ-secret' } }).error({ err }, 'failed');
    expect(lines[0]).toMatchObject({ auth: { token: CENSOR }, err: { message: 'upgrade refused', token: CENSOR } });
    expect(String((lines[0]?.err as { stack?: string } | undefined)?.stack)).toContain('upgrade refused');
    expect(err.token).toBe('eyJ-secret');
  });

  it("writes the same lines as pino's own redaction with the same paths", () => {
    fc.assert(
      fc.property(logObject, logObject, (bindings, obj) => {
        const ours = capture((s) => createLogger('info', s));
        const theirs = capture(pinoRedacting);
        const snapshot = JSON.stringify(obj);
        ours.logger.child(bindings).info(obj, 'm');
        theirs.logger.child(bindings).info(obj, 'm');
        expect(ours.lines).toEqual(theirs.lines);
        expect(JSON.stringify(obj)).toBe(snapshot);
      }),
      { numRuns: 1000 },
    );
  });
});
