import { HttpError, type ServiceClient } from '@go-micro/toolkit';
import type { AuthPayload, LogPayload, MailPayload } from './payloads.js';

/** One way of getting a log entry to the logger; resolves with the logger's answer. */
export interface LogSink {
  log(entry: LogPayload): Promise<string>;
}

/** Posts to another service and returns its data, or throws its 4xx envelope as it came. */
async function postEnvelope<T>(client: ServiceClient, path: string, body: unknown): Promise<{ message: string; data: T | undefined }> {
  const { status, envelope } = await client.post<T>(path, body);
  if (envelope.error) throw new HttpError(status, envelope.message);
  return { message: envelope.message, data: envelope.data };
}

/** The user comes back as authentication-service sent it; the broker passes it on untouched. */
export const authenticate = async (auth: ServiceClient, credentials: AuthPayload): Promise<unknown> => {
  const { data } = await postEnvelope(auth, '/authenticate', credentials);
  if (!data) throw new HttpError(502, `${auth.name} gave a bad answer (no user)`);
  return data;
};

export const sendMail = async (mail: ServiceClient, message: MailPayload): Promise<void> => {
  await postEnvelope(mail, '/send', message);
};

/** The logger's REST endpoint, POST /log. */
export const httpLogSink = (logger: ServiceClient): LogSink => ({
  log: async (entry) => (await postEnvelope(logger, '/log', entry)).message,
});
