import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import { LOG_NAME_MAX_CHARS } from '@go-micro/contracts';
import { HttpError, type Logger } from '@go-micro/toolkit';
import type { LogsAdminStore } from '../logs-admin-store.js';
import type { LoginResult } from './admin-login.js';
import { createRenderer } from './render.js';
import { csrf } from './session.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
// Bootstrap is served from its npm package, as the front end does: the dashboard looks right offline.
const bootstrapDist = join(dirname(createRequire(import.meta.url).resolve('bootstrap/package.json')), 'dist');

const PAGE_SIZE = 20;

export interface DashboardDeps {
  logger: Logger;
  entries: LogsAdminStore;
  login: (email: string, password: string) => Promise<LoginResult>;
  /** express-session with its store. */
  session: RequestHandler;
}

const listQuery = z.object({
  name: z.string().trim().max(LOG_NAME_MAX_CHARS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1).default(1),
});

const loginForm = z.object({ email: z.string().trim().max(255).default(''), password: z.string().max(128).default('') });

/**
 * The admin dashboard the later course gave the logger: /login, then
 * /admin/logs (newest first, paginated, filtered by name), one entry's page,
 * "update timestamp" and "delete all" as POST forms with a confirmation
 * (the course used GET links, which a prefetch or a crawler could follow),
 * and logout. Every /admin page needs an admin's session; every form carries
 * a CSRF token.
 */
export function dashboardRouter({ logger, entries, login, session }: DashboardDeps): Router {
  const render = createRenderer(join(root, 'templates'));
  const router = Router();
  const view = (req: Request, res: Response, page: string, data: Record<string, unknown> = {}, status = 200) => {
    res.status(status).type('html').send(render(page, { admin: req.session?.admin ?? null, csrfToken: csrf.generateToken(req), notice: null, ...data }));
  };

  router.use('/admin/static/bootstrap', express.static(bootstrapDist, { maxAge: '1d' }));
  router.use('/admin/static', express.static(join(root, 'public')));
  // Only the dashboard's own paths get a session; the logging API never does.
  router.use(['/login', '/logout', '/admin'], session, express.urlencoded({ extended: false, limit: '16kb' }), csrf.csrfSynchronisedProtection);

  const signedIn: RequestHandler = (req, res, next) => {
    if (req.session.admin) next();
    else res.redirect(303, '/login');
  };

  router.get('/login', (req, res) => {
    if (req.session.admin) return res.redirect(303, '/admin/logs');
    view(req, res, 'login', { email: '', error: null });
  });

  router.post('/login', async (req, res) => {
    const { email, password } = loginForm.parse(req.body ?? {});
    const result = await login(email, password);
    if (result.kind === 'refused') return view(req, res, 'login', { email, error: result.message }, result.status);
    if (result.kind === 'not-admin') return view(req, res, 'refused', { email: result.email }, 403);
    // A new session id on login, so an id planted before it is worth nothing.
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err as Error) : resolve())));
    req.session.admin = result.user;
    logger.info({ admin: result.user.email }, 'dashboard login');
    res.redirect(303, '/admin/logs');
  });

  router.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('logger.sid', { path: '/' }).redirect(303, '/login');
    });
  });

  router.get(['/admin', '/admin/'], signedIn, (_req, res) => res.redirect(303, '/admin/logs'));

  router.get('/admin/logs', signedIn, async (req, res) => {
    const { name, page } = listQuery.parse(req.query);
    const { entries: shown, total } = await entries.page({ name: name || undefined, page, pageSize: PAGE_SIZE });
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const link = (to: number) => `/admin/logs?${new URLSearchParams({ ...(name ? { name } : {}), page: String(to) })}`;
    view(req, res, 'logs', {
      entries: shown,
      total,
      name: name ?? '',
      page,
      pages,
      previous: page > 1 ? link(page - 1) : null,
      next: page < pages ? link(page + 1) : null,
      notice: typeof req.query.deleted === 'string' ? `Deleted ${Number(req.query.deleted) || 0} entries.` : null,
    });
  });

  // Before /admin/logs/:id, which would take "delete-all" for an id.
  router.get('/admin/logs/delete-all', signedIn, async (req, res) => {
    const { total } = await entries.page({ page: 1, pageSize: 1 });
    view(req, res, 'delete-all', { total });
  });

  router.post('/admin/logs/delete-all', signedIn, async (req, res) => {
    const deleted = await entries.deleteAll();
    logger.warn({ admin: req.session.admin?.email, deleted }, 'all log entries deleted from the dashboard');
    res.redirect(303, `/admin/logs?deleted=${deleted}`);
  });

  router.get('/admin/logs/:id', signedIn, async (req, res) => {
    const entry = await entries.get(String(req.params.id));
    if (!entry) throw new HttpError(404, 'There is no such log entry.');
    view(req, res, 'entry', { entry, notice: req.query.updated === '1' ? 'Timestamp updated.' : null });
  });

  router.post('/admin/logs/:id/update-timestamp', signedIn, async (req, res) => {
    const id = String(req.params.id);
    if (!(await entries.touch(id))) throw new HttpError(404, 'There is no such log entry.');
    res.redirect(303, `/admin/logs/${encodeURIComponent(id)}?updated=1`);
  });

  // The dashboard's errors are pages, not the API's JSON envelope.
  const errorPage: ErrorRequestHandler = (err: unknown, req, res, next) => {
    if (res.headersSent || !/^\/(login|logout|admin)(\/|$)/.test(req.path)) return next(err);
    const { status = 500, code } = err as { status?: number; code?: string };
    const message =
      code === 'EBADCSRFTOKEN' ? 'This form has expired or did not come from this dashboard. Go back, reload the page and try again.'
      : err instanceof HttpError ? err.message
      : 'Something went wrong on our side.';
    if (!(err instanceof HttpError) && code !== 'EBADCSRFTOKEN') logger.error({ err, path: req.path }, 'dashboard error');
    const csrfToken = req.session ? csrf.generateToken(req) : '';
    res.status(status).type('html').send(render('error', { admin: req.session?.admin ?? null, csrfToken, notice: null, status, message }));
  };
  router.use('/admin', (_req, _res, next) => next(new HttpError(404, 'There is no such page.')));
  router.use(errorPage);
  return router;
}
