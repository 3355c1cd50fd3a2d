// Calls to another service's JSON endpoints, apart from the main entry so that a service that calls
// none (the mail service) never loads undici: ~7 MB of a service's memory once imported.
export { ServiceClient, type CallOptions, type ServiceReply } from './service-client.js';
