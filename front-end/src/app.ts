import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import { createHttpApp, type Logger, type TrustProxy } from '@go-micro/toolkit';
import { buttons } from './buttons.js';
import { createRenderer } from './render.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Bootstrap is served from its npm package, so the page looks right offline and in containers.
const bootstrapDist = join(dirname(createRequire(import.meta.url).resolve('bootstrap/package.json')), 'dist');

export interface AppOptions {
  logger: Logger;
  brokerUrl: string;
  /** Whose X-Forwarded-For to believe (TRUST_PROXY): nobody's unless a proxy is in front. */
  trustProxy?: TrustProxy;
}

export function createApp({ logger, brokerUrl, trustProxy = false }: AppOptions): Express {
  const render = createRenderer(join(root, 'templates'));
  const page = render('test', {
    title: 'Microservices',
    brokerUrl: brokerUrl.replace(/\/+$/, ''),
    buttons: buttons.map((b) => ({ ...b, uniqueEmail: b.uniqueEmail === true, payload: b.payload === undefined ? '' : JSON.stringify(b.payload) })),
  });

  return createHttpApp({ logger, trustProxy }, (app) => {
    app.get('/', (_req, res) => {
      res.type('html').send(page);
    });
    app.use('/static/bootstrap', express.static(bootstrapDist, { maxAge: '1d' }));
    app.use('/static', express.static(join(root, 'public')));
  });
}
