import { runStoreContract } from "./fixtures/run-store-contract.js";
import { redisBackend, sqliteBackend } from "./fixtures/store-backends.js";

runStoreContract("SQLite", sqliteBackend);
runStoreContract("Redis", redisBackend);
