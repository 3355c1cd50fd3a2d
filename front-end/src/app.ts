import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import { countAsStatic, createHttpApp, type Logger, type TrustProxy } from '@go-micro/toolkit';
import { buttons } from './buttons.js';
import { createRenderer } from './render.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Bootstrap is served from its npm package, so the page looks right offline and in containers.
const bootstrapDist = join(dirname(createRequire(import.meta.url).resolve('bootstrap/package.json')), 'dist');

/** Where the page links to look inside the system (config.ts); an empty one is left out. */
export interface SystemLinks {
  dashboardUrl: string;
  mailUiUrl: string;
  prometheusUrl: string;
  /** Jaeger's query API: the latest traces, and each reply's by its X-Trace-Id. */
  tracesUrl: string;
}

export interface AppOptions {
  logger: Logger;
  brokerUrl: string;
  /** The links under the buttons; none when not given. */
  links?: Partial<SystemLinks>;
  /** Whose X-Forwarded-For to believe (TRUST_PROXY): nobody's unless a proxy is in front. */
  trustProxy?: TrustProxy;
}

const withoutSlash = (url: string) => url.replace(/\/+$/, '');

/** The links the page shows, in order, leaving out the ones configured empty. */
function linkList(links: Partial<SystemLinks>): { id: string; label: string; url: string }[] {
  const traces = links.tracesUrl ? `${withoutSlash(links.tracesUrl)}/api/traces?service=broker-service&limit=20` : '';
  return [
    { id: 'dashboard-link', label: 'Log dashboard', url: links.dashboardUrl ?? '' },
    { id: 'mail-link', label: 'Mail catcher', url: links.mailUiUrl ?? '' },
    { id: 'prometheus-link', label: 'Prometheus', url: links.prometheusUrl ?? '' },
    { id: 'traces-link', label: 'Latest traces (Jaeger API)', url: traces },
  ].filter((link) => link.url !== '');
}

export function createApp({ logger, brokerUrl, links = {}, trustProxy = false }: AppOptions): Express {
  const render = createRenderer(join(root, 'templates'));
  const page = render('test', {
    title: 'Microservices',
    brokerUrl: withoutSlash(brokerUrl),
    tracesUrl: links.tracesUrl ? withoutSlash(links.tracesUrl) : '',
    mailUiUrl: links.mailUiUrl ?? '',
    links: linkList(links),
    buttons: buttons.map((b) => ({ ...b, uniqueEmail: b.uniqueEmail === true, payload: b.payload === undefined ? '' : JSON.stringify(b.payload) })),
  });

  return createHttpApp({ logger, trustProxy }, (app) => {
    app.get('/', (_req, res) => {
      res.type('html').send(page);
    });
    app.use('/static/bootstrap', countAsStatic, express.static(bootstrapDist, { maxAge: '1d' }));
    app.use('/static', countAsStatic, express.static(join(root, 'public')));
  });
}
