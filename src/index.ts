// Public exports of the pgq TypeScript driver.
export { PgqClient } from "./client.js";
export type { ConsumerInfo, DeadLetter, NewEvent, QueueInfo, QueueSetting } from "./client.js";
export { Consumer, ConsumerPool, perEvent } from "./consumer/consumer.js";
export type { Batch, BatchInfo, ConsumerOptions, ConsumerPoolOptions, Handler, PgqEvent } from "./consumer/consumer.js";
export { clientConfig, parseKeywordValue, POOLERS, SafeClient, safeSession, SAFE_SEARCH_PATH, withTx, type Pooler, type SafeClientConfig } from "./db.js";
export { InvalidOptionError } from "./options.js";
export * from "./errors.js";
