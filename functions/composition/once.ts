/**
 * Builds on first call and keeps the result for the container's life. A build that throws (a bad
 * setting) is not kept: the next call tries again, and each caller gets the error as an envelope.
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

/** The async kind: the promise is kept, and dropped again if it rejects. */
export function onceAsync<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
