// RabbitMQ consumers, apart from the main entry so that a service without a queue never loads amqplib.
export { QueueConsumer, declareRetryQueues, queueNames, type ConsumerOptions, type ConsumerStatus, type Outcome, type QueueNames } from './queue-consumer.js';
export { ATTEMPTS_HEADER, FAILURE_HEADER, failedAttempts, nextStep, type RetryPolicy } from './retry-policy.js';
