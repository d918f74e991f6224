/** A value that survives a JSON round trip unchanged (what a webhook body may contain). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object: the shape of every webhook payload this package builds. */
export type JsonObject = { [key: string]: JsonValue };
