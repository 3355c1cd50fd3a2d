import { MongoClient } from 'mongodb';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFerretDB } from '../src/ferretdb.js';
import { startMailCatcher, type MailCatcher, type SharedMailCatcher } from '../src/mail-catcher.js';
import { sharedFerretDB, sharedMailCatcher } from '../src/shared-servers.js';
import { uniqueName } from '../src/unique-name.js';

describe('FerretDB', () => {
  let client: MongoClient;

  beforeAll(async () => {
    client = await new MongoClient(sharedFerretDB().url, { serverSelectionTimeoutMS: 5_000 }).connect();
  });

  afterAll(async () => {
    await client?.close();
  });

  it('when a log entry is stored in logs.logs, reads it back and lists the created_at index', async () => {
    const logs = client.db('logs').collection('logs');
    const name = uniqueName('infra-test');
    const now = new Date();

    await logs.createIndex({ created_at: 1 }, { name: 'created_at_1' });
    const { insertedId } = await logs.insertOne({ name, data: 'some data', created_at: now, updated_at: now });
    const found = await logs.findOne({ name });
    const indexNames = (await logs.indexes()).map((index) => index.name);

    expect(found).toMatchObject({ _id: insertedId, name, data: 'some data', created_at: now, updated_at: now });
    expect(indexNames).toContain('created_at_1');
  });

  it('when stopped, frees its port', async () => {
    const other = await startFerretDB();
    await other.stop();

    const probe = new MongoClient(other.url, { serverSelectionTimeoutMS: 500 });
    await expect(probe.connect()).rejects.toThrow();
    await probe.close();
  });
});

describe('mail catcher', () => {
  let mail: SharedMailCatcher;

  beforeAll(() => {
    mail = sharedMailCatcher();
  });

  it('when a message is sent over SMTP, the API returns its sender, recipient, subject, HTML and text', async () => {
    const subject = uniqueName('Test email');
    const transport = nodemailer.createTransport({
      host: mail.smtpHost,
      port: mail.smtpPort,
      secure: false,
      auth: { user: 'any', pass: 'thing' }, // the catcher accepts any login, as MailHog did
    });

    await transport.sendMail({
      from: { name: 'John Smith', address: 'john.smith@example.com' },
      to: 'you@there.com',
      subject,
      html: '<p style="color: red">Hello world!</p>',
      text: 'Hello world!',
    });
    const message = await mail.waitForMessage((m) => m.subject === subject, 5_000);

    expect(message).toMatchObject({
      from: { name: 'John Smith', address: 'john.smith@example.com' },
      to: [{ name: '', address: 'you@there.com' }],
      subject,
      html: '<p style="color: red">Hello world!</p>',
      text: 'Hello world!',
    });
    expect((await mail.listMessages()).map((m) => m.id)).toContain(message.id);
  });

  it('when no message matches, waitForMessage fails after its timeout', async () => {
    const started = Date.now();

    await expect(mail.waitForMessage(() => false, 300)).rejects.toThrow(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('a mail catcher of its own', () => {
  let own: MailCatcher;

  beforeAll(async () => {
    own = await startMailCatcher();
  });

  afterAll(async () => {
    await own?.stop();
  });

  it('when all messages are deleted, lists none', async () => {
    await nodemailer
      .createTransport({ host: own.smtpHost, port: own.smtpPort, secure: false })
      .sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'to delete', text: 'x' });
    await own.waitForMessage((m) => m.subject === 'to delete', 5_000);

    await own.deleteAll();

    expect(await own.listMessages()).toEqual([]);
  });
});
