// aws-local-stepfunctions calls Promise.withResolvers, which Node 20 lacks (Node 22 and Lambda have it).
// Imported for its effect, first, by the local runbook workflow; a no-op where the method exists.
if (!('withResolvers' in Promise)) {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
