import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import { LOG_NAME_MAX_CHARS } from '@go-micro/contracts';
import { countAsStatic, HttpError, type Logger } from '@go-micro/toolkit';
import type { LogsAdminStore } from '../logs-admin-store.js';
import type { AdminLogin } from './admin-login.js';
import { createRenderer } from './render.js';
import { csrf, type LoginFormCsrf } from './session.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
// Bootstrap is served from its npm package, as the front end does: the dashboard looks right offline.
const bootstrapDist = join(dirname(createRequire(import.meta.url).resolve('bootstrap/package.json')), 'dist');

const PAGE_SIZE = 20;
/** The list of entries, where a sign-in lands. */
const DASHBOARD = '/admin/dashboard';
const entryPath = (id: string) => `/admin/log-entry/${encodeURIComponent(id)}`;
/** The query string of a request as it came, `?` included, or nothing. */
const queryOf = (req: Request) => {
  const at = req.originalUrl.indexOf('?');
  return at < 0 ? '' : req.originalUrl.slice(at);
};

export interface DashboardDeps {
  logger: Logger;
  entries: LogsAdminStore;
  login: AdminLogin;
  /** express-session with its store. */
  session: RequestHandler;
  /** The login form's CSRF check, which needs no session. */
  loginCsrf: LoginFormCsrf;
}

const listQuery = z.object({
  name: z.string().trim().max(LOG_NAME_MAX_CHARS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1).default(1),
});

const MAX_EMAIL_CHARS = 255;
const loginForm = z.object({
  email: z
    .string({ error: 'Enter an email address and a password.' })
    .trim()
    .max(MAX_EMAIL_CHARS, { error: `That email address is too long: it can have at most ${MAX_EMAIL_CHARS} characters.` })
    .default(''),
  password: z
    .string({ error: 'Enter an email address and a password.' })
    .max(128, { error: 'That password is too long: it can have at most 128 characters.' })
    .default(''),
});

/** The email to show in the form again: what was typed, unless it was not one. */
const typedEmail = (body: unknown) => {
  const { email } = (body ?? {}) as { email?: unknown };
  return typeof email === 'string' && email.length <= MAX_EMAIL_CHARS ? email.trim() : '';
};

/**
 * The admin dashboard the later course gave the logger, at its paths: the
 * login page at / and /login, then /admin/dashboard (newest first, paginated,
 * filtered by name), /admin/log-entry/{id}, /admin/update/{id} and
 * /admin/delete-all as POST forms with a confirmation (the course used GET
 * links, which a prefetch or a crawler could follow), and /logout. Every
 * /admin path needs an admin's session; every form carries a CSRF token: the
 * login form's in a cookie, the others' in the session.
 */
export function dashboardRouter({ logger, entries, login, session, loginCsrf }: DashboardDeps): Router {
  const render = createRenderer(join(root, 'templates'));
  const router = Router();
  // Only a signed-in admin's pages hold forms tied to the session; the login page's token needs none.
  const csrfToken = (req: Request, res: Response, page: string) =>
    page === 'login' ? loginCsrf.token(req, res) : req.session?.admin ? csrf.generateToken(req) : '';
  const view = (req: Request, res: Response, page: string, data: Record<string, unknown> = {}, status = 200) => {
    res.status(status).type('html').send(render(page, { admin: req.session?.admin ?? null, csrfToken: csrfToken(req, res, page), notice: null, ...data }));
  };

  // The login page's styles are here too: the only /admin paths open to a visitor who has not signed in.
  router.use('/admin/static/bootstrap', countAsStatic, express.static(bootstrapDist, { maxAge: '1d' }));
  router.use('/admin/static', countAsStatic, express.static(join(root, 'public')));
  // Only the dashboard's own paths get a session; the logging API never does.
  router.use(['/login', '/logout', '/admin'], session, express.urlencoded({ extended: false, limit: '16kb' }));
  router.use('/login', loginCsrf.protection);
  // Every other /admin path, a page that does not exist included, first needs an admin's session.
  router.use('/admin', (req, res, next) => {
    if (req.session.admin) next();
    else res.redirect(303, '/login');
  });
  router.use(['/logout', '/admin'], csrf.csrfSynchronisedProtection);

  // The course's later version shows the login page at the root.
  router.get('/', (_req, res) => res.redirect(303, '/login'));

  router.get('/login', (req, res) => {
    if (req.session.admin) return res.redirect(303, DASHBOARD);
    view(req, res, 'login', { email: '', error: null });
  });

  router.post('/login', async (req, res) => {
    const form = loginForm.safeParse(req.body ?? {});
    if (!form.success) return view(req, res, 'login', { email: typedEmail(req.body), error: form.error.issues[0]!.message }, 400);
    const { email, password } = form.data;
    // req.ip: the visitor's address (from X-Forwarded-For only behind a trusted proxy), whose tries are counted.
    const result = await login(email, password, req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (result.kind === 'refused') {
      if (result.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(result.retryAfterSeconds));
      return view(req, res, 'login', { email, error: result.message }, result.status);
    }
    if (result.kind === 'not-admin') return view(req, res, 'refused', { email: result.email }, 403);
    // A new session id on login, so an id planted before it is worth nothing.
    await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err as Error) : resolve())));
    req.session.admin = result.user;
    logger.info({ admin: result.user.email }, 'dashboard login');
    res.redirect(303, DASHBOARD);
  });

  // The header's button posts, with its token, so nothing prefetched signs an admin out. GET works too, as the
  // course's link did: signing out changes no data and gives nothing, so a forged one costs a new sign-in at most.
  const logout: RequestHandler = (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('logger.sid', { path: '/' }).redirect(303, '/login');
    });
  };
  router.post('/logout', logout);
  router.get('/logout', logout);

  router.get(['/admin', '/admin/'], (_req, res) => res.redirect(303, DASHBOARD));

  router.get(DASHBOARD, async (req, res) => {
    const { name, page } = listQuery.parse(req.query);
    const { entries: shown, total, more } = await entries.page({ name: name || undefined, page, pageSize: PAGE_SIZE });
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const link = (to: number) => `${DASHBOARD}?${new URLSearchParams({ ...(name ? { name } : {}), page: String(to) })}`;
    view(req, res, 'logs', {
      entries: shown,
      // A count that stopped at its cap reads "10,000+", and the pages go on while they are full.
      total: `${total.toLocaleString('en-US')}${more ? '+' : ''}`,
      name: name ?? '',
      page,
      pages: `${pages}${more ? '+' : ''}`,
      previous: page > 1 ? link(page - 1) : null,
      next: page < pages || (more && shown.length === PAGE_SIZE) ? link(page + 1) : null,
      notice: typeof req.query.deleted === 'string' ? `Deleted ${Number(req.query.deleted) || 0} entries.` : null,
    });
  });

  router.get('/admin/delete-all', async (req, res) => {
    view(req, res, 'delete-all', { total: (await entries.total()).toLocaleString('en-US') });
  });

  router.post('/admin/delete-all', async (req, res) => {
    const deleted = await entries.deleteAll();
    logger.warn({ admin: req.session.admin?.email, deleted }, 'all log entries deleted from the dashboard');
    res.redirect(303, `${DASHBOARD}?deleted=${deleted}`);
  });

  router.get('/admin/log-entry/:id', async (req, res) => {
    const entry = await entries.get(String(req.params.id));
    if (!entry) throw new HttpError(404, 'There is no such log entry.');
    view(req, res, 'entry', { entry, notice: req.query.updated === '1' ? 'Timestamp updated.' : null });
  });

  router.post('/admin/update/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!(await entries.touch(id))) throw new HttpError(404, 'There is no such log entry.');
    res.redirect(303, `${entryPath(id)}?updated=1`);
  });
  // The course's update was a GET link; a GET changes nothing here, it shows the entry with its button.
  router.get('/admin/update/:id', (req, res) => res.redirect(303, entryPath(String(req.params.id))));

  // The paths of this port's first dashboard, moved for good (308 keeps a POST a POST, with its form and token).
  const moved = (to: (req: Request) => string): RequestHandler => (req, res) => res.redirect(308, `${to(req)}${queryOf(req)}`);
  router.get('/admin/logs', moved(() => DASHBOARD));
  // Before /admin/logs/:id, which would take "delete-all" for an id.
  router.all('/admin/logs/delete-all', moved(() => '/admin/delete-all'));
  router.get('/admin/logs/:id', moved((req) => entryPath(String(req.params.id))));
  router.post('/admin/logs/:id/update-timestamp', moved((req) => `/admin/update/${encodeURIComponent(String(req.params.id))}`));

  // The dashboard's errors are pages, not the API's JSON envelope.
  const errorPage: ErrorRequestHandler = (err: unknown, req, res, next) => {
    if (res.headersSent || !/^\/(login|logout|admin)(\/|$)/.test(req.path)) return next(err);
    const { status = 500, code } = err as { status?: number; code?: string };
    const message =
      code === 'EBADCSRFTOKEN' ? 'This form has expired or did not come from this dashboard. Go back, reload the page and try again.'
      : err instanceof HttpError ? err.message
      : 'Something went wrong on our side.';
    if (!(err instanceof HttpError) && code !== 'EBADCSRFTOKEN') logger.error({ err, path: req.path }, 'dashboard error');
    if (err instanceof HttpError && err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    res.status(status).type('html').send(render('error', { admin: req.session?.admin ?? null, csrfToken: csrfToken(req, res, 'error'), notice: null, status, message }));
  };
  router.use('/admin', (_req, _res, next) => next(new HttpError(404, 'There is no such page.')));
  router.use(errorPage);
  return router;
}
