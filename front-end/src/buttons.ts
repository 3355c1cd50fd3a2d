/**
 * The page's buttons: what each one posts to the broker. The first five are the
 * course's, with its exact payloads; the RabbitMQ and REST ones reach the two
 * transports the course wrote but never gave a button; Test Register signs a
 * new user up, whose welcome mail goes through the queue.
 */
export interface TestButton {
  id: string;
  label: string;
  path: string;
  /** undefined: an empty POST, as "Test Broker" sends. */
  payload?: unknown;
  /** The page puts a new address in `register.email` on every click, so each sign-up is new. */
  uniqueEmail?: boolean;
}

export const buttons: TestButton[] = [
  { id: 'brokerBtn', label: 'Test Broker', path: '/' },
  {
    id: 'authBrokerBtn',
    label: 'Test Auth',
    path: '/handle',
    payload: { action: 'auth', auth: { email: 'admin@example.com', password: 'verysecret' } },
  },
  {
    id: 'logBtn',
    label: 'Test Log',
    path: '/handle',
    payload: { action: 'log', log: { name: 'event', data: 'Some kind of data' } },
  },
  {
    id: 'logRabbitBtn',
    label: 'Test Log via RabbitMQ',
    path: '/log-rabbit',
    payload: { action: 'log', log: { name: 'event', data: 'Some kind of RabbitMQ data' } },
  },
  {
    id: 'logHttpBtn',
    label: 'Test Log via REST',
    path: '/log-http',
    payload: { action: 'log', log: { name: 'event', data: 'Some kind of REST data' } },
  },
  {
    id: 'logGBtn',
    label: 'Test gRPC log',
    path: '/log-grpc',
    payload: { action: 'log', log: { name: 'event', data: 'Some kind of gRPC data' } },
  },
  {
    id: 'mailBtn',
    label: 'Test Mail',
    path: '/handle',
    payload: {
      action: 'mail',
      mail: { from: 'me@example.com', to: 'you@there.com', subject: 'Test email', message: 'Hello world!' },
    },
  },
  {
    id: 'registerBtn',
    label: 'Test Register',
    path: '/handle',
    payload: {
      action: 'register',
      register: { email: 'new-user@example.com', first_name: 'Test', last_name: 'User', password: 'verysecret123' },
    },
    uniqueEmail: true,
  },
];
