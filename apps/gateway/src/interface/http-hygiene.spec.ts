import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import { helmetHeaders } from './http-hygiene';

describe('helmetHeaders: what helmet sets, found once', () => {
  const response = () => new ServerResponse(new IncomingMessage(new Socket()));

  it('gives every response exactly the headers helmet itself sets', () => {
    for (const options of [
      {},
      {
        contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"] } },
        xFrameOptions: { action: 'deny' as const },
        strictTransportSecurity: { maxAge: 100, includeSubDomains: true },
      },
    ]) {
      const middleware = helmet(options);
      const byHelmet = response();
      byHelmet.setHeader('x-powered-by', 'x');
      middleware(byHelmet.req, byHelmet, () => undefined);
      const replayed = response();
      replayed.setHeader('x-powered-by', 'x');
      const { set, removed } = helmetHeaders(middleware);
      for (const [name, value] of set) replayed.setHeader(name, value);
      for (const name of removed) replayed.removeHeader(name);
      expect(replayed.getHeaders()).toEqual(byHelmet.getHeaders());
      expect(Object.keys(replayed.getHeaders()).length).toBeGreaterThan(5);
    }
  });
});
