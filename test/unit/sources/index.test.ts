import { ALERT_SOURCES } from '../../../lib/api-routes';
import { SOURCE_ADAPTERS, sourceAdapterFor } from '../../../lambdas/shared/domain/sources';

describe('sourceAdapterFor', () => {
  it.each(ALERT_SOURCES)('finds the %s adapter, which makes alerts of that source', (source) => {
    const adapter = sourceAdapterFor(source);
    expect(adapter).toBe(SOURCE_ADAPTERS[source]);
    expect(adapter?.source).toBe(source);
  });

  it.each(['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'Alertmanager', 'alertmanager ', ''])(
    'knows no adapter named %p',
    (name) => {
      expect(sourceAdapterFor(name)).toBeUndefined();
    },
  );

  it('holds exactly the sources of the route table', () => {
    expect(Object.keys(SOURCE_ADAPTERS).sort()).toEqual([...ALERT_SOURCES].sort());
  });
});
