import type { Express } from 'express';
import { z } from 'zod';
import { jsonBody, reply, validate } from '@go-micro/toolkit';
import { mountAccountRoutes, type AccountsDeps } from './accounts/accounts-routes.js';
import type { Authenticator } from './login/authenticate.js';

const credentials = z.object({
  email: z.email({ error: 'must be an email address' }),
  password: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(128, { error: 'must be at most 128 characters' }),
});

export function mountRoutes(app: Express, authenticator: Authenticator, accounts: AccountsDeps): void {
  app.post('/authenticate', jsonBody(), async (req, res) => {
    const { email, password } = validate(credentials, req.body);
    // The client's address: X-Forwarded-For from the broker (a trusted hop), else the peer itself.
    const user = await authenticator.authenticate(email, password, req.ip ?? req.socket.remoteAddress);
    reply(res, 202, `Logged in user ${user.email}`, user);
  });
  mountAccountRoutes(app, authenticator, accounts);
}
