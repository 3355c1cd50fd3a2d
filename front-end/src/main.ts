import { closeServer, listen, runService, shutdownOnSignals } from '@go-micro/toolkit';
import { createApp } from './app.js';
import { configSchema } from './config.js';

runService('front-end', configSchema, async ({ config, logger }) => {
  const links = { dashboardUrl: config.DASHBOARD_URL, mailUiUrl: config.MAIL_UI_URL, prometheusUrl: config.PROMETHEUS_URL, tracesUrl: config.TRACES_URL };
  const server = await listen(createApp({ logger, brokerUrl: config.BROKER_URL, links, trustProxy: config.TRUST_PROXY }), config.PORT, { host: config.BIND_ADDR, maxConnections: config.MAX_CONNECTIONS });
  logger.info({ port: config.PORT, brokerUrl: config.BROKER_URL }, 'front-end listening');
  shutdownOnSignals(logger, [{ name: 'http server', close: () => closeServer(server) }]);
});
