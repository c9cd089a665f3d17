// Public exports of the pgq TypeScript driver.
export { PgqClient } from "./client.js";
export type { ConsumerInfo, DeadLetter, NewEvent, QueueInfo, QueueSetting } from "./client.js";
export { Consumer, ConsumerPool, perEvent } from "./consumer/consumer.js";
export type { Batch, BatchInfo, ConsumerOptions, ConsumerPoolOptions, Handler, PgqEvent } from "./consumer/consumer.js";
export { clientConfig, parseKeywordValue, safeSession, SAFE_SEARCH_PATH, withTx } from "./db.js";
export { InvalidOptionError } from "./options.js";
export * from "./errors.js";
