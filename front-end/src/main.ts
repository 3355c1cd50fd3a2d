import { closeServer, createLogger, listen, runMain, shutdownOnSignals } from '@go-micro/toolkit';
import { createApp } from './app.js';
import { readConfig } from './config.js';

const logger = createLogger('front-end');

runMain(logger, async () => {
  const config = readConfig();
  const server = await listen(createApp({ logger, brokerUrl: config.BROKER_URL }), config.PORT);
  logger.info({ port: config.PORT, brokerUrl: config.BROKER_URL }, 'front-end listening');
  shutdownOnSignals(logger, [{ name: 'http server', close: () => closeServer(server) }]);
});
