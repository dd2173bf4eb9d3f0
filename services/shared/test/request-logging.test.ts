import { fastify, type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptsPartlySerialized } from '../src/flat-lines.js';
import { createServiceLogger } from '../src/logger.js';
import { EcsLogController, httpFields, installRequestFields, recordEvent, routeOf } from '../src/request-logging.js';

/** A Fastify app with the service's request fields and a route template echo on every answer. */
function appWithRoutes(): FastifyInstance {
  const app = fastify();
  installRequestFields(app);
  app.addHook('onRequest', (request, reply, done) => {
    // Answers before the route's own hooks run, as the service does while closing.
    if (request.headers['x-refuse']) return void reply.code(503).send({ route: routeOf(request) });
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-route', routeOf(request));
    done(null, payload);
  });
  const ownHookRan: string[] = [];
  app.decorate('ownHookRan', ownHookRan);
  app.get('/users/:id', async (request) => {
    recordEvent(request, { 'event.action': 'user_fetched', 'http.route': 'not this one' });
    return httpFields(request, { statusCode: 200, elapsedTime: 1.5 } as never);
  });
  app.get('/with-hooks', { onRequest: [(request, _reply, done) => void (ownHookRan.push(routeOf(request)), done())] }, async () => ({ ok: true }));
  app.get('/with-hook', { onRequest: (_request, _reply, done) => void (ownHookRan.push('single'), done()) }, async () => ({ ok: true }));
  return app;
}

describe('request fields (route template, event fields)', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('gives the matched route template, `unmatched` for no route, and the template even when answered before the route hooks ran', async () => {
    app = appWithRoutes();
    expect((await app.inject({ url: '/users/7' })).headers['x-route']).toBe('/users/:id');
    expect((await app.inject({ url: '/users/7?x=1' })).headers['x-route']).toBe('/users/:id');
    expect((await app.inject({ url: '/nope' })).headers['x-route']).toBe('unmatched');
    const refused = await app.inject({ url: '/users/7', headers: { 'x-refuse': '1' } });
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toEqual({ route: '/users/:id' });
  });

  it("keeps a route's own onRequest hooks (one or several), after the template is set", async () => {
    app = appWithRoutes();
    await app.inject({ url: '/with-hooks' });
    await app.inject({ url: '/with-hook' });
    expect((app as unknown as { ownHookRan: string[] }).ownHookRan).toEqual(['/with-hooks', 'single']);
  });

  it('completion fields: http fields win over an event field of the same name, event fields are added', async () => {
    app = appWithRoutes();
    const fields = (await app.inject({ url: '/users/7?x=1' })).json();
    expect(fields).toEqual({
      'event.action': 'user_fetched',
      'http.request.method': 'GET',
      'url.path': '/users/7',
      'http.route': '/users/:id',
      'http.response.status_code': 200,
      'event.duration': 1_500_000,
    });
  });

  it('builds no completion line when its level is off', () => {
    const written: unknown[] = [];
    const log = { isLevelEnabled: () => false, info: (fields: unknown) => written.push(fields), error: (fields: unknown) => written.push(fields) };
    const request = {
      get url(): string {
        throw new Error('fields were built');
      },
    } as unknown as FastifyRequest;
    const controller = new EcsLogController();
    controller.requestCompleted(null, request, { log } as never);
    controller.requestCompleted(new Error('x'), request, { log } as never);
    expect(written).toEqual([]);
  });

  it('writes the same completion line through the service logger\'s fast path as pino writes of httpFields', async () => {
    const lines: string[] = [];
    const service = await createServiceLogger({ service: 'user-service', environment: 'test', stdout: { write: (line: string) => void lines.push(line) } });
    expect(acceptsPartlySerialized(service.logger)).toBe(true);
    app = fastify({ loggerInstance: service.logger, logController: new EcsLogController() });
    installRequestFields(app);
    // The reference line, from the object path, written just before the controller's own.
    app.addHook('onResponse', (request, reply, done) => void (request.log.info(httpFields(request, reply), 'request completed'), done()));
    app.get('/users/:id', async (request) => {
      recordEvent(request, { 'event.action': 'user_fetched', 'user.id': '7', 'labels.note': 'a "quoted" \\ note' });
      return { ok: true };
    });
    app.get('/clash', async (request) => {
      recordEvent(request, { 'event.action': 'clash', 'http.route': 'not this one' });
      return { ok: true };
    });
    app.get('/plain', async () => ({ ok: true }));
    for (const url of ['/users/7?x=1', '/clash', '/plain', '/nope']) await app.inject({ url });
    await service.close();
    // Durations differ between the two calls; everything else, key order included, is the same.
    const normalized = lines.map((line) => line.replace(/"@timestamp":"[^"]+"/, '"@timestamp":"T"').replace(/"event.duration":\d+/, '"event.duration":0'));
    expect(normalized).toHaveLength(8);
    for (let i = 0; i < 8; i += 2) expect(normalized[i + 1]).toBe(normalized[i]);
    expect(JSON.parse(lines[1]!)).toMatchObject({ 'url.path': '/users/7', 'http.route': '/users/:id', 'labels.note': 'a "quoted" \\ note', 'user.id': '7' });
    expect(JSON.parse(lines[3]!)).toMatchObject({ 'http.route': '/clash', 'event.action': 'clash' });
    expect(JSON.parse(lines[7]!)).toMatchObject({ 'http.route': 'unmatched', 'http.response.status_code': 404 });
  });
});
